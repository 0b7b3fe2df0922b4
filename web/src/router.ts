import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'

import { useAuthStore } from '@/auth/store'

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/tasks' },
  { path: '/sign-in', component: () => import('@/auth/DevSignInPage.vue') },
  {
    path: '/tasks',
    component: () => import('@/tasks/TaskListPage.vue'),
    meta: { requiresAuth: true },
  },
  {
    path: '/cases/:id',
    component: () => import('@/cases/CasePage.vue'),
    props: true,
    meta: { requiresAuth: true },
  },
  {
    path: '/console',
    component: () => import('@/console/ConsoleLayout.vue'),
    meta: { requiresAuth: true },
    children: [
      { path: '', component: () => import('@/console/cases-table/CaseTablePage.vue') },
      {
        path: 'cases/:id',
        component: () => import('@/console/case-page/ConsoleCasePage.vue'),
        props: true,
      },
      // Administration (issue 14): directory imports, staff and leave, settings.
      { path: 'admin', component: () => import('@/console/admin/AdminPage.vue') },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/tasks' },
]

export function createAppRouter() {
  const router = createRouter({ history: createWebHistory(), routes })
  router.beforeEach((to) => {
    const auth = useAuthStore()
    if (to.meta.requiresAuth && !auth.signedIn) {
      return { path: '/sign-in', query: { next: to.fullPath } }
    }
    return true
  })
  return router
}

import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'

import { useAuthStore } from '@/auth/store'

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/tasks' },
  // Sign-in (auth/): the identity provider (OpenID Connect) and, in development, the demo people.
  { path: '/sign-in', component: () => import('@/auth/SignInPage.vue') },
  { path: '/auth/callback', component: () => import('@/auth/OidcCallbackPage.vue') },
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

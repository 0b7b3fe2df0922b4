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
  // Field work: patrols and household visits (lazy: not in the first load).
  {
    path: '/patrol',
    component: () => import('@/patrol/PatrolPage.vue'),
    meta: { requiresAuth: true },
  },
  {
    path: '/visits',
    component: () => import('@/visits/VisitPage.vue'),
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
      // Oversight: the map, the three rates, the station master's day (issue 14).
      { path: 'map', component: () => import('@/console/map/CaseMapPage.vue') },
      { path: 'rates', component: () => import('@/console/rates/RatesPage.vue') },
      { path: 'station', component: () => import('@/console/station/StationPage.vue') },
      // Administration (issue 14): directory imports, staff and leave, settings.
      { path: 'admin', component: () => import('@/console/admin/AdminPage.vue') },
      // Who did what, per person (reached from a staff member's row).
      {
        path: 'staff/:staffId/actions',
        component: () => import('@/console/admin/StaffActionsPage.vue'),
        props: true,
      },
      // The notifications sent to a person (通知记录; from a staff row, or one's own).
      {
        path: 'staff/:staffId/deliveries',
        component: () => import('@/console/deliveries/RecipientDeliveriesPage.vue'),
        props: true,
      },
      // The assessment of grid members (网格员考核).
      { path: 'assessment', component: () => import('@/console/assessment/AssessmentPage.vue') },
      // Notify's failed and pending deliveries, with resend (ops, admin).
      { path: 'deliveries', component: () => import('@/console/deliveries/DeliveriesPage.vue') },
      // Overdue and pushed-around cases (超期/推诿) in the caller's scope.
      { path: 'overdue', component: () => import('@/console/overdue/OverduePage.vue') },
      // 常用语, notification preferences and wish walls (settings).
      { path: 'settings', component: () => import('@/console/settings/SettingsPage.vue') },
    ],
  },
  {
    path: '/console/wall',
    component: () => import('@/console/rates/CommandWallPage.vue'),
    meta: { requiresAuth: true },
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

import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'

import { createAppI18n } from '@/kit/i18n'

import { forgetSignInConfig } from './oidc'
import SignInPage from './SignInPage.vue'

const oidc = {
  issuer: 'https://sso.city.example/realms/gridcase',
  client_id: 'gridcase-web',
  scopes: 'openid profile',
  redirect_path: '/auth/callback',
  post_logout_redirect_path: '/sign-in',
}

async function mountPage() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/sign-in', component: SignInPage }],
  })
  await router.push('/sign-in')
  const wrapper = mount(SignInPage, {
    global: {
      plugins: [createAppI18n('zh-CN'), router],
      stubs: {
        VanNavBar: { template: '<nav><slot name="title" /></nav>' },
        VanSearch: true,
        VanLoading: true,
        VanButton: { template: '<button type="button"><slot /></button>' },
      },
    },
  })
  await flushPromises()
  return wrapper
}

beforeEach(() => {
  localStorage.clear()
  sessionStorage.clear()
  forgetSignInConfig()
  setActivePinia(createPinia())
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('SignInPage', () => {
  it('in production offers the identity provider and never the demo people', async () => {
    const fetch = vi.fn().mockResolvedValue(Response.json({ methods: ['oidc'], oidc }))
    vi.stubGlobal('fetch', fetch)

    const wrapper = await mountPage()

    expect(wrapper.find('[data-sign-in=oidc]').text()).toBe('使用统一身份认证登录')
    expect(wrapper.findAll('button.person')).toHaveLength(0)
    expect(fetch.mock.calls.map((call) => String(call[0]))).toEqual([
      '/api/dispatch/v1/sign-in/config',
    ])
  })

  it('in development lists the demo people under the provider button', async () => {
    const person = {
      staff_id: 'gm111a',
      name: '李磊静',
      role: 'grid_member',
      post: 'A',
      area_code: '510302001001001',
      area_name: '桂花社区一网格',
      department_code: null,
      department_name: null,
    }
    vi.stubGlobal(
      'fetch',
      vi
        .fn()
        .mockResolvedValueOnce(Response.json({ methods: ['oidc', 'development'], oidc }))
        .mockResolvedValueOnce(Response.json([person])),
    )

    const wrapper = await mountPage()

    expect(wrapper.find('[data-sign-in=oidc]').exists()).toBe(true)
    expect(wrapper.find('button[data-staff-id=gm111a]').exists()).toBe(true)
  })

  it('says so when no sign-in is configured', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(Response.json({ methods: [], oidc: null })))

    const wrapper = await mountPage()

    expect(wrapper.find('[role=alert]').text()).toBe('此环境尚未配置统一身份认证，请联系管理员。')
  })
})

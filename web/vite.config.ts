import { fileURLToPath, URL } from 'node:url'

import vue from '@vitejs/plugin-vue'
import type { Plugin } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'
import { defineConfig } from 'vitest/config'

// In development (`npm run dev`) the four APIs are proxied like nginx does in `make up`.
const services = { intake: 8001, dispatch: 8002, escalation: 8003, notify: 8004 }

// vant's icon font names a remote copy after its inline one; the app loads nothing from
// elsewhere (and the CSP would refuse it), so the remote sources are dropped.
const localFontsOnly: Plugin = {
  name: 'gridcase-local-fonts-only',
  enforce: 'pre',
  transform(code, id) {
    if (!id.includes('/vant/') || !id.endsWith('.css')) return null
    return code.replace(/,\s*url\((?:https?:)?\/\/[^)]+\)\s*format\("[a-z0-9]+"\)/g, '')
  },
}

export default defineConfig({
  plugins: [
    localFontsOnly,
    vue(),
    // Installable, and the app shell opens offline: a generated service worker precaches
    // the built files; the last API answers are kept by kit/offline.ts, not by the worker
    // (the API is never cached here, so a signed-out phone keeps none of it).
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: 'script',
      includeAssets: ['favicon.svg', 'icons/apple-touch-icon.png'],
      manifest: {
        name: '网格通 gridcase 网格',
        short_name: '网格通',
        description: '网格员的今日任务、案件办理与消息',
        lang: 'zh-CN',
        start_url: '/tasks',
        scope: '/',
        display: 'standalone',
        background_color: '#f5f6f8',
        theme_color: '#1d4ed8',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,woff,woff2}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//],
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    // No inline scripts or styles: the CSP of deploy/nginx/gridcase.conf forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    proxy: Object.fromEntries(
      Object.entries(services).map(([name, port]) => [
        `/api/${name}/`,
        {
          target: `http://127.0.0.1:${port}`,
          rewrite: (path: string) => path.replace(`/api/${name}`, ''),
        },
      ]),
    ),
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.spec.ts'],
  },
})

import { fileURLToPath, URL } from 'node:url'

import vue from '@vitejs/plugin-vue'
import type { Plugin } from 'vite'
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
  plugins: [localFontsOnly, vue()],
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

import 'vant/lib/index.css'
import './styles.css'

import { createPinia } from 'pinia'
import {
  Button,
  Empty,
  Icon,
  Loading,
  NavBar,
  Popup,
  PullRefresh,
  Search,
} from 'vant'
import { createApp } from 'vue'

import App from './App.vue'
import { createAppI18n } from './kit/i18n'
import { createAppRouter } from './router'

const app = createApp(App)
app.use(createPinia())
app.use(createAppI18n())
app.use(createAppRouter())
for (const component of [Button, Empty, Icon, Loading, NavBar, Popup, PullRefresh, Search]) {
  app.use(component)
}
app.mount('#app')

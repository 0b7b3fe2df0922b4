// Global component types for the vant components registered in main.ts.
import type {
  Button,
  Empty,
  Icon,
  Loading,
  NavBar,
  Popup,
  PullRefresh,
  Search,
} from 'vant'

declare module 'vue' {
  export interface GlobalComponents {
    VanButton: typeof Button
    VanEmpty: typeof Empty
    VanIcon: typeof Icon
    VanLoading: typeof Loading
    VanNavBar: typeof NavBar
    VanPopup: typeof Popup
    VanPullRefresh: typeof PullRefresh
    VanSearch: typeof Search
  }
}

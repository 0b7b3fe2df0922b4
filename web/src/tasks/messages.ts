export default {
  'zh-CN': {
    title: '今日任务',
    empty: '暂无待办任务',
    count: '共 {n} 件',
    reportedAt: '上报 {time}',
    pulling: '下拉刷新',
    loosing: '松开刷新',
    refreshed: '已刷新',
  },
  en: {
    title: "Today's tasks",
    empty: 'No open tasks',
    count: '{n} in all',
    reportedAt: 'reported {time}',
    pulling: 'Pull to refresh',
    loosing: 'Release to refresh',
    refreshed: 'Refreshed',
  },
}

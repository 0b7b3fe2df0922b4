export default {
  'zh-CN': {
    button: '消息',
    unread: '{n} 条未读消息',
    title: '消息',
    empty: '暂无消息',
    close: '关闭',
    newTask: '新任务：{title}',
  },
  en: {
    button: 'Messages',
    unread: '{n} unread messages',
    title: 'Messages',
    empty: 'No messages',
    close: 'Close',
    newTask: 'New task: {title}',
  },
}

// i18n: every UI string of the three apps. Simplified Chinese is the default; English is chosen
// with ?lang=en (remembered) or the toggle (stored in localStorage under "kefu.lang").
const KEY = 'kefu.lang';

const zh = {
  'app.widget': '在线客服',
  'app.workbench': '客服工作台',
  'app.console': '主管监控台',
  'lang.toggle': 'English',
  'common.loading': '加载中…',
  'common.error': '出错了',
  'common.retry': '重试',
  'common.cancel': '取消',
  'common.send': '发送',
  'common.close': '关闭',
  'common.none': '无',
  'common.logout': '退出登录',
  'conn.online': '已连接',
  'conn.connecting': '连接中…',
  'conn.offline': '连接断开，正在重连…',
  'sender.customer': '客户',
  'sender.agent': '客服',
  'sender.bot': '机器人',
  'sender.system': '系统',
  'sender.me': '我',
  'msg.pending': '发送中',
  'msg.acked': '已发送',
  'msg.delivered': '已送达',
  'msg.failed': '发送失败',
  'typing': '对方正在输入…',
  'composer.placeholder': '请输入消息，Enter 发送，Shift+Enter 换行',
  'widget.welcome': '您好，请选择您要咨询的问题类型',
  'widget.default': '直接咨询',
  'widget.start': '开始咨询',
  'widget.queued': '排队中，您前面还有 {n} 位',
  'widget.queuedNoPos': '排队中，请稍候…',
  'widget.assigned': '客服 {name} 正在为您服务',
  'widget.closed': '会话已结束',
  'widget.summary': '服务小结：{text}',
  'widget.rateTitle': '请为本次服务评分',
  'widget.solved': '问题是否已解决？',
  'widget.yes': '已解决',
  'widget.no': '未解决',
  'widget.submitRating': '提交评价',
  'widget.thanks': '感谢您的评价！',
  'widget.newChat': '发起新咨询',
  'widget.noCategories': '暂时无法加载问题分类，您可以直接咨询',
  'login.title': '登录',
  'login.name': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.failed': '登录失败：{msg}',
  'login.limited': '尝试次数过多，请稍后再试',
  'presence.online': '在线',
  'presence.away': '离开',
  'presence.offline': '离线',
  'wb.queue': '排队',
  'wb.queueEmpty': '当前无人排队',
  'wb.pick': '接入',
  'wb.myChats': '我的会话',
  'wb.noChats': '暂无会话。切换为“在线”后可自动分配，或从排队列表接入。',
  'wb.frt': '首响',
  'wb.wait': '等待',
  'wb.art': '平均响应',
  'wb.transfer': '转接',
  'wb.transferTo': '转接给',
  'wb.toGroup': '技能组',
  'wb.toAgent': '客服 ID',
  'wb.note': '转接备注',
  'wb.closeChat': '结束会话',
  'wb.summary': '服务小结（必填）',
  'wb.confirmClose': '确认结束',
  'wb.chatClosed': '会话已结束',
  'wb.dismiss': '移除',
  'wb.profile': '客户信息',
  'pf.col.date': '时间',
  'console.alerts': '风险提醒',
  'console.noAlerts': '暂无提醒',
  'console.alertKind': '类型',
  'console.session': '会话',
  'console.alertDetail': '说明',
  'console.alert.fraud': '疑似诈骗',
  'console.alert.emotion': '客户情绪负面',
  'console.negShare': '负面消息占比 {p}%',
  'console.from.customer': '来自客户',
  'console.from.agent': '来自客服',
  'pf.col.category': '类别',
  'pf.col.rating': '评价',
  'pf.col.item': '商品',
  'pf.col.amount': '金额',
  'pf.col.status': '状态',
  'pf.status.shipped': '已发货',
  'pf.status.completed': '已完成',
  'pf.status.paid': '已付款',
  'pf.status.refunded': '已退款',
  'wb.pastSessions': '历史会话',
  'wb.orders': '订单',
  'wb.tags': '偏好标签',
  'wb.complaints': '投诉记录',
  'wb.blocked': '消息未发送：{reason}',
  'wb.suggestion': '建议改为：',
  'wb.useSuggestion': '使用建议',
  'wb.edit': '自行修改',
  'wb.waiting': '等待中 {n}',
  'wb.category': '分类',
  'wb.channel': '渠道',
  'wb.customer': '客户',
  'wb.openedAt': '开始时间',
  'wb.vip': 'VIP',
  'pf.id': '客户 ID',
  'pf.name': '姓名',
  'pf.phone': '电话',
  'pf.type': '客户类型',
  'pf.region': '地区',
  'pf.masked': '已脱敏',
  'console.queue': '排队会话',
  'console.agents': '在线客服',
  'console.chats': '进行中的会话',
  'console.status': '状态',
  'console.load': '接待/上限',
  'console.skills': '技能组',
  'console.agent': '客服',
  'console.updated': '更新于 {t}',
  'cat.product': '产品咨询',
  'cat.order': '订单查询',
  'cat.aftersale': '售后投诉',
  'cat.policy': '政策咨询',
};

const en = {
  'app.widget': 'Customer service',
  'app.workbench': 'Agent workbench',
  'app.console': 'Supervisor console',
  'lang.toggle': '中文',
  'common.loading': 'Loading…',
  'common.error': 'Error',
  'common.retry': 'Retry',
  'common.cancel': 'Cancel',
  'common.send': 'Send',
  'common.close': 'Close',
  'common.none': 'None',
  'common.logout': 'Log out',
  'conn.online': 'Connected',
  'conn.connecting': 'Connecting…',
  'conn.offline': 'Connection lost, reconnecting…',
  'sender.customer': 'Customer',
  'sender.agent': 'Agent',
  'sender.bot': 'Bot',
  'sender.system': 'System',
  'sender.me': 'Me',
  'msg.pending': 'sending',
  'msg.acked': 'sent',
  'msg.delivered': 'delivered',
  'msg.failed': 'failed',
  'typing': 'typing…',
  'composer.placeholder': 'Type a message; Enter sends, Shift+Enter for a new line',
  'widget.welcome': 'Hello! What is your question about?',
  'widget.default': 'Just ask',
  'widget.start': 'Start chat',
  'widget.queued': 'In queue, {n} ahead of you',
  'widget.queuedNoPos': 'In queue, please wait…',
  'widget.assigned': '{name} is serving you',
  'widget.closed': 'Chat ended',
  'widget.summary': 'Summary: {text}',
  'widget.rateTitle': 'Please rate this chat',
  'widget.solved': 'Was your problem solved?',
  'widget.yes': 'Solved',
  'widget.no': 'Not solved',
  'widget.submitRating': 'Submit rating',
  'widget.thanks': 'Thank you for your rating!',
  'widget.newChat': 'New chat',
  'widget.noCategories': 'Categories could not be loaded; you can still ask directly',
  'login.title': 'Log in',
  'login.name': 'User name',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.failed': 'Login failed: {msg}',
  'login.limited': 'Too many attempts, try again later',
  'presence.online': 'Online',
  'presence.away': 'Away',
  'presence.offline': 'Offline',
  'wb.queue': 'Queue',
  'wb.queueEmpty': 'Nobody is waiting',
  'wb.pick': 'Pick',
  'wb.myChats': 'My chats',
  'wb.noChats': 'No chats. Go online to be assigned, or pick from the queue.',
  'wb.frt': 'FRT',
  'wb.wait': 'Wait',
  'wb.art': 'Avg resp.',
  'wb.transfer': 'Transfer',
  'wb.transferTo': 'Transfer to',
  'wb.toGroup': 'Skill group',
  'wb.toAgent': 'Agent id',
  'wb.note': 'Note for the next agent',
  'wb.closeChat': 'Close chat',
  'wb.summary': 'Summary (required)',
  'wb.confirmClose': 'Close it',
  'wb.chatClosed': 'Chat closed',
  'wb.dismiss': 'Dismiss',
  'wb.profile': 'Customer',
  'pf.col.date': 'Time',
  'console.alerts': 'Alerts',
  'console.noAlerts': 'No alerts',
  'console.alertKind': 'Kind',
  'console.session': 'Session',
  'console.alertDetail': 'Detail',
  'console.alert.fraud': 'Possible fraud',
  'console.alert.emotion': 'Negative customer',
  'console.negShare': '{p}% of messages negative',
  'console.from.customer': 'from the customer',
  'console.from.agent': 'from the agent',
  'pf.col.category': 'Category',
  'pf.col.rating': 'Rating',
  'pf.col.item': 'Item',
  'pf.col.amount': 'Amount',
  'pf.col.status': 'Status',
  'pf.status.shipped': 'Shipped',
  'pf.status.completed': 'Completed',
  'pf.status.paid': 'Paid',
  'pf.status.refunded': 'Refunded',
  'wb.pastSessions': 'Past sessions',
  'wb.orders': 'Orders',
  'wb.tags': 'Tags',
  'wb.complaints': 'Complaints',
  'wb.blocked': 'Message not sent: {reason}',
  'wb.suggestion': 'Suggested wording:',
  'wb.useSuggestion': 'Use suggestion',
  'wb.edit': 'Edit myself',
  'wb.waiting': '{n} waiting',
  'wb.category': 'Category',
  'wb.channel': 'Channel',
  'wb.customer': 'Customer',
  'wb.openedAt': 'Opened',
  'wb.vip': 'VIP',
  'pf.id': 'Customer id',
  'pf.name': 'Name',
  'pf.phone': 'Phone',
  'pf.type': 'Type',
  'pf.region': 'Region',
  'pf.masked': 'masked',
  'console.queue': 'Queue',
  'console.agents': 'Agents online',
  'console.chats': 'Live chats',
  'console.status': 'Status',
  'console.load': 'Chats/max',
  'console.skills': 'Skills',
  'console.agent': 'Agent',
  'console.updated': 'Updated {t}',
  'cat.product': 'Product',
  'cat.order': 'Orders',
  'cat.aftersale': 'After-sale / complaint',
  'cat.policy': 'Policy',
};

const dicts = { zh, en };

function initialLang() {
  try {
    const q = new URLSearchParams(location.search).get('lang');
    if (q === 'en' || q === 'zh') {
      localStorage.setItem(KEY, q);
      return q;
    }
    const s = localStorage.getItem(KEY);
    if (s === 'en' || s === 'zh') return s;
  } catch (_) {
    /* storage may be unavailable (privacy mode); fall back to the default */
  }
  return 'zh';
}

let lang = initialLang();

export function getLang() {
  return lang;
}

// Switches the language, remembers it and reloads the page so every component re-renders.
export function setLang(next) {
  try {
    localStorage.setItem(KEY, next);
  } catch (_) {}
  const u = new URL(location.href);
  u.searchParams.delete('lang');
  location.replace(u.toString());
}

export function toggleLang() {
  setLang(lang === 'zh' ? 'en' : 'zh');
}

// t('widget.queued', {n: 3}) → "排队中，您前面还有 3 位". Unknown keys fall back to Chinese, then the key.
export function t(key, vars) {
  let s = dicts[lang][key] ?? zh[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

// The display name of a category: the server's (Chinese) name, or our English one in English mode.
export function categoryLabel(id, serverName, serverNameEn) {
  const k = 'cat.' + id;
  if (lang === 'en') return serverNameEn || en[k] || serverName || id || '';
  return serverName || zh[k] || id || '';
}

document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';

/** 简体中文: the UI's first language and the source of every message key. */
import { searchMessages } from './messages/search.js';
import { residentMessages } from './messages/resident.js';
import { importsMessages } from './messages/imports.js';
import { reviewMessages } from './messages/review.js';
import { conflictsMessages } from './messages/conflicts.js';
import { statsMessages } from './messages/stats.js';
import { auditMessages } from './messages/audit.js';
import { recordMessages } from './messages/record.js';

const common = {
  'app.title': '居民信息共享平台',
  'lang.switch': 'English',
  'lang.label': '界面语言',
  'nav.label': '主导航',
  'nav.search': '居民查询',
  'nav.imports': '数据导入',
  'nav.review': '待审核匹配',
  'nav.conflicts': '冲突与预警',
  'nav.stats': '信息孤岛图',
  'nav.audit': '审计日志',
  'signIn.title': '登录',
  'signIn.intro': '请输入本部门的 API 密钥（以 rhk_ 开头）。密钥只保存在本浏览器标签页中，关闭后需重新登录。',
  'signIn.key': 'API 密钥',
  'signIn.submit': '登录',
  'signIn.invalid': '密钥无效或已被吊销',
  'signIn.signedInAs': '当前用户：{name}（{role}）',
  'signOut': '退出登录',
  'role.police': '公安派出所',
  'role.family-planning': '计划生育',
  'role.civil-affairs': '民政',
  'role.community': '社区',
  'role.auditor': '审核员',
  'role.admin': '区信息中心管理员',
  'source.police': '派出所人口信息系统',
  'source.family-planning': '常住人口计划生育管理系统',
  'source.floating-population': '流动人口信息平台',
  'source.minimum-allowance': '最低生活保障信息系统',
  'sourceShort.police': '公安',
  'sourceShort.family-planning': '计生',
  'sourceShort.floating-population': '流动人口',
  'sourceShort.minimum-allowance': '低保',
  'common.loading': '加载中…',
  'common.error': '出错了：{message}',
  'common.retry': '重试',
  'common.none': '无',
  'common.next': '下一页',
  'common.previous': '上一页',
  'common.cancel': '取消',
  'common.forbidden': '当前角色无权访问此页面',
  'common.notFound': '页面不存在',
} as const;

export const zhCN = {
  ...common,
  ...searchMessages.zh,
  ...residentMessages.zh,
  ...importsMessages.zh,
  ...reviewMessages.zh,
  ...conflictsMessages.zh,
  ...statsMessages.zh,
  ...auditMessages.zh,
  ...recordMessages.zh,
};

export type MessageKey = keyof typeof zhCN;
export const commonZh = common;

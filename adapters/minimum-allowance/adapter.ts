import { checkAgeAgainstId, defineAdapter, idKey } from '../define-adapter.js';
import type { FieldSpec } from '../types.js';

const fields: readonly FieldSpec[] = [
  { key: 'familyNumber', label: '家庭编号', headers: ['家庭编号', '户编号'], kind: 'code', required: true },
  { key: 'headName', label: '户主姓名', headers: ['户主姓名'], kind: 'name' },
  { key: 'headIdNumber', label: '户主身份证号码', headers: ['户主身份证号码', '户主身份证号'], kind: 'idNumber' },
  { key: 'name', label: '成员姓名', headers: ['成员姓名', '姓名'], kind: 'name', required: true },
  { key: 'relationship', label: '与户主关系', headers: ['与户主关系'], kind: 'relationship' },
  { key: 'idNumber', label: '成员身份证号码', headers: ['成员身份证号码', '身份证号码', '身份证号'], kind: 'idNumber' },
  { key: 'sex', label: '性别', headers: ['性别'], kind: 'sex' },
  { key: 'age', label: '年龄', headers: ['年龄'], kind: 'integer' },
  { key: 'health', label: '健康状况', headers: ['健康状况'], kind: 'text' },
  { key: 'workAbility', label: '劳动能力', headers: ['劳动能力'], kind: 'text' },
  { key: 'category', label: '保障类别', headers: ['保障类别'], kind: 'text' },
  { key: 'monthlyAmount', label: '月保障金额（元）', headers: ['月保障金额（元）', '月保障金额(元)', '保障金额'], kind: 'amount' },
  { key: 'approvedOn', label: '审批日期', headers: ['审批日期'], kind: 'date' },
  { key: 'community', label: '所在社区', headers: ['所在社区', '社区'], kind: 'text' },
  { key: 'address', label: '家庭住址', headers: ['家庭住址', '住址'], kind: 'address' },
  { key: 'phone', label: '联系电话', headers: ['联系电话'], kind: 'phone' },
  { key: 'bank', label: '开户银行', headers: ['开户银行'], kind: 'text' },
  { key: 'bankAccount', label: '银行账号', headers: ['银行账号', '银行卡号'], kind: 'code' },
];

export const minimumAllowanceAdapter = defineAdapter({
  source: 'minimum-allowance',
  systemName: '全国最低生活保障信息系统',
  fields,
  // A member is named within the family by the ID number, or by the name when the number is
  // missing or damaged (the most common damage in this system).
  naturalKey: (data) => `fam:${String(data.familyNumber ?? '')}:${idKey(data) ?? String(data.nameMatch ?? '')}`,
  finish: (data, flags, context) => {
    data.exportDate = context.exportDate;
    checkAgeAgainstId(data, flags, context.exportDate);
  },
});

import { defineAdapter } from '../define-adapter.js';
import type { FieldSpec } from '../types.js';

const fields: readonly FieldSpec[] = [
  { key: 'caseNumber', label: '个案编号', headers: ['个案编号'], kind: 'code', required: true },
  { key: 'name', label: '姓名', headers: ['姓名'], kind: 'name', required: true },
  { key: 'sex', label: '性别', headers: ['性别'], kind: 'sex' },
  { key: 'idNumber', label: '身份证号', headers: ['身份证号', '公民身份号码', '身份证号码'], kind: 'idNumber' },
  { key: 'birthDate', label: '出生日期', headers: ['出生日期'], kind: 'date' },
  { key: 'ethnicity', label: '民族', headers: ['民族'], kind: 'ethnicity' },
  { key: 'maritalStatus', label: '婚姻状况', headers: ['婚姻状况'], kind: 'marital' },
  { key: 'firstMarriageDate', label: '初婚日期', headers: ['初婚日期'], kind: 'date' },
  { key: 'spouseName', label: '配偶姓名', headers: ['配偶姓名'], kind: 'name' },
  { key: 'spouseIdNumber', label: '配偶身份证号', headers: ['配偶身份证号', '配偶公民身份号码'], kind: 'idNumber' },
  { key: 'childrenCount', label: '现有子女数', headers: ['现有子女数'], kind: 'integer' },
  { key: 'registeredAddress', label: '户籍地址', headers: ['户籍地址', '户籍地'], kind: 'address' },
  { key: 'currentAddress', label: '现居住地址', headers: ['现居住地址', '现居住地'], kind: 'address' },
  { key: 'phone', label: '联系电话', headers: ['联系电话', '手机号码'], kind: 'phone' },
  { key: 'community', label: '所属社区', headers: ['所属社区'], kind: 'text' },
  { key: 'registeredOn', label: '登记日期', headers: ['登记日期'], kind: 'date' },
];

export const familyPlanningAdapter = defineAdapter({
  source: 'family-planning',
  systemName: '常住人口计划生育管理系统',
  fields,
  naturalKey: (data) => `case:${String(data.caseNumber ?? '')}`,
});

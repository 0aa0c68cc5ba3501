import { defineAdapter } from '../define-adapter.js';
import type { FieldSpec } from '../types.js';

const fields: readonly FieldSpec[] = [
  { key: 'registrationNumber', label: '登记编号', headers: ['登记编号'], kind: 'code', required: true },
  { key: 'name', label: '姓名', headers: ['姓名'], kind: 'name', required: true },
  { key: 'sex', label: '性别', headers: ['性别'], kind: 'sex' },
  { key: 'birthDate', label: '出生日期', headers: ['出生日期'], kind: 'date' },
  { key: 'idNumber', label: '身份证号码', headers: ['身份证号码', '公民身份号码', '证件号码'], kind: 'idNumber' },
  { key: 'ethnicity', label: '民族', headers: ['民族'], kind: 'ethnicity' },
  { key: 'originAddress', label: '户籍地详址', headers: ['户籍地详址', '户籍地址'], kind: 'address' },
  { key: 'originRegionCode', label: '户籍地行政区划', headers: ['户籍地行政区划'], kind: 'code' },
  { key: 'currentAddress', label: '现居住地址', headers: ['现居住地址', '现住址'], kind: 'address' },
  { key: 'arrivedOn', label: '来本地日期', headers: ['来本地日期', '流入日期'], kind: 'date' },
  { key: 'reason', label: '流动原因', headers: ['流动原因'], kind: 'text' },
  { key: 'maritalStatus', label: '婚姻状况', headers: ['婚姻状况'], kind: 'marital' },
  { key: 'phone', label: '联系电话', headers: ['联系电话', '手机号码'], kind: 'phone' },
  { key: 'certificateNumber', label: '婚育证明编号', headers: ['婚育证明编号'], kind: 'code' },
  { key: 'registeredOn', label: '登记日期', headers: ['登记日期'], kind: 'date' },
  { key: 'deregisteredOn', label: '注销日期', headers: ['注销日期'], kind: 'date' },
];

export const floatingPopulationAdapter = defineAdapter({
  source: 'floating-population',
  systemName: '流动人口信息平台',
  fields,
  naturalKey: (data) => `reg:${String(data.registrationNumber ?? '')}`,
});

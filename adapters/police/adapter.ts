import { defineAdapter, idKey } from '../define-adapter.js';
import type { FieldSpec } from '../types.js';

// Headers as the police system exports them, then synonyms, then the GA/T 543 data-element
// identifiers (pinyin initials) some exports use instead of words.
const fields: readonly FieldSpec[] = [
  { key: 'householdNumber', label: '户号', headers: ['户号', '户编号', 'HH'], kind: 'code', required: true },
  { key: 'relationship', label: '与户主关系', headers: ['与户主关系', 'YHZGX'], kind: 'relationship' },
  { key: 'name', label: '姓名', headers: ['姓名', 'XM'], kind: 'name', required: true },
  { key: 'formerName', label: '曾用名', headers: ['曾用名', 'CYM'], kind: 'name' },
  { key: 'sex', label: '性别', headers: ['性别', 'XB'], kind: 'sex' },
  { key: 'ethnicity', label: '民族', headers: ['民族', 'MZ'], kind: 'ethnicity' },
  { key: 'birthDate', label: '出生日期', headers: ['出生日期', 'CSRQ'], kind: 'date' },
  { key: 'idNumber', label: '公民身份号码', headers: ['公民身份号码', '身份证号', '身份证号码', 'GMSFHM'], kind: 'idNumber', required: true },
  { key: 'nativePlace', label: '籍贯', headers: ['籍贯', 'JG'], kind: 'text' },
  { key: 'education', label: '文化程度', headers: ['文化程度', 'WHCD'], kind: 'text' },
  { key: 'maritalStatus', label: '婚姻状况', headers: ['婚姻状况', 'HYZK'], kind: 'marital' },
  { key: 'employer', label: '服务处所', headers: ['服务处所', 'FWCS'], kind: 'text' },
  { key: 'address', label: '住址', headers: ['住址', '户籍地址', '现住址', 'ZZ'], kind: 'address' },
  { key: 'personStatus', label: '人员状态', headers: ['人员状态', 'RYZT'], kind: 'personStatus' },
  { key: 'statusDate', label: '变动日期', headers: ['变动日期', 'BDRQ'], kind: 'date' },
  { key: 'community', label: '所属居委会', headers: ['所属居委会', '居委会', 'JWH'], kind: 'text' },
];

export const policeAdapter = defineAdapter({
  source: 'police',
  systemName: '派出所人口信息系统',
  fields,
  // The citizen ID number names a registered person; without a usable one, the household
  // number and the name do.
  naturalKey: (data) => idKey(data) ?? `hh:${String(data.householdNumber ?? '')}:${String(data.nameMatch ?? '')}`,
});

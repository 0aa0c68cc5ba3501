/**
 * Splits a Chinese address into its levels, left to right, each level optional:
 * 省 / 市 / 区县 / 街道乡镇 / 社区村 / 路+号 / 小区 / 楼 / 单元 / 层 / 室.
 * Heuristic by design: what is not recognised ends up in `rest`, nothing is dropped from `normalized`.
 */
import type { CellValue } from '../ingest/types.js';
import { cellText, isPlaceholder, parseChineseNumeral, toSimplified } from './text.js';
import type { AddressResult } from './types.js';

const MUNICIPALITIES = new Set(['北京市', '天津市', '上海市', '重庆市']);
const PROVINCE_NAMES = [
  '北京市', '天津市', '上海市', '重庆市', '河北省', '山西省', '辽宁省', '吉林省', '黑龙江省', '江苏省',
  '浙江省', '安徽省', '福建省', '江西省', '山东省', '河南省', '湖北省', '湖南省', '广东省', '海南省',
  '四川省', '贵州省', '云南省', '陕西省', '甘肃省', '青海省', '台湾省', '内蒙古自治区', '广西壮族自治区',
  '西藏自治区', '宁夏回族自治区', '新疆维吾尔自治区', '香港特别行政区', '澳门特别行政区',
];
// [written form, canonical name]; full names first, then the short ones (河南, 广西, 新疆).
const PROVINCE_FORMS: readonly (readonly [string, string])[] = [
  ...PROVINCE_NAMES.map((p) => [p, p] as const),
  ...PROVINCE_NAMES.map((p) => [p.replace(/(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$/, ''), p] as const),
].sort((a, b) => b[0].length - a[0].length);

const NUM = '\\d+|[一二三四五六七八九十〇零两]+';
const CITY = /^[^\d省市区县路街道号镇乡村巷楼栋室单元社]{1,8}?(?:自治州|地区|市|盟)/;
const DISTRICT = /^[^\d省区县路街道号镇乡村巷楼栋室单元社旗]{1,10}?(?:自治县|自治旗|新区|区|县|旗|市)/;
const STREET = /^[^\d号楼栋室单元区县]{1,10}?(?:街道办事处|街道办|街道|镇|乡|苏木)(?![路街道巷])/;
const COMMUNITY = /^[^\d号楼栋室单元区县镇乡]{1,10}?(?:社区居民委员会|社区居委会|社区|居民委员会|居委会|村民委员会|村委会|村)(?![路街道巷])/;
// The number belongs to the road unless it is a building number (12号楼).
const ROAD = /^([^\d号楼栋室单元#]{1,15}?(?:大道|大街|路|街|巷|胡同|弄|道))(?:((?:[甲乙丙丁]?\d+(?:[-之]\d+)?)号)(?![楼#]))?/;
const ESTATE = /^[^\d号楼栋室单元#]{1,20}?(?:小区|花园|家园|公寓|大厦|广场|新村|山庄|公馆|宿舍|家属院|苑|院|城|府|园|庭|里|湾|邸|阁|居)(?=[\dA-Za-z一二三四五六七八九十]|$)/;
const PHASE = new RegExp(`^(?:${NUM})期`);
const NUMBERED_COMPOUND = /^\d+号院/;
const BUILDING = new RegExp(`^([A-Za-z]\\d*|\\d+[A-Za-z]?|[一二三四五六七八九十]+)(号楼|#楼|栋|幢|座|号|#|楼)`);
const UNIT = new RegExp(`^(${NUM})单元`);
const FLOOR = new RegExp(`^(${NUM})(?:层|楼)(?=\\d|$)`);
const DASHED3 = /^(\d+)-(\d+)-(\d+[A-Za-z]?)(?:室|号|户)?$/;
const DASHED2 = /^(\d+)-(\d+[A-Za-z]?)(?:室|号|户)?$/;
const ROOM = /^(\d+[A-Za-z]?|[A-Za-z]\d+)(?:室|号|户)?/;

/** Number part of building/unit/floor: Chinese numerals to digits, no leading zeros, upper-case letters. */
function num(text: string): string {
  const cn = parseChineseNumeral(text);
  if (cn !== undefined) return String(cn);
  return text.toUpperCase().replace(/^0+(?=\d)/, '');
}

/** Comparison form: NFKC, no spaces, simplified, dashes unified. */
export function normalizeAddressText(text: string): string {
  return toSimplified(text.normalize('NFKC').replace(/\s+/g, '')).replace(/[‐‑–—―~～]/g, '-');
}

/** Parses one address cell; null when empty. */
export function parseAddress(value: CellValue): AddressResult | null {
  const text = cellText(value);
  if (isPlaceholder(text)) return null;
  const normalized = normalizeAddressText(text);
  const r: AddressResult = { original: typeof value === 'string' ? value.trim() : text, normalized };
  // Brackets hold remarks or repeat a level: 金水区（西湖社区）.
  let s = normalized.replace(/[()[\]【】]/g, '');

  const take = (re: RegExp): RegExpExecArray | null => {
    const m = re.exec(s);
    if (m) s = s.slice(m[0].length);
    return m;
  };

  for (const [form, name] of PROVINCE_FORMS) {
    if (!s.startsWith(form)) continue;
    const after = s.slice(form.length);
    // A short form must not be the start of a road name (上海路, 河南街).
    if (form !== name && (after === '' || /^(?:大道|大街|路|街|道|巷)/.test(after))) continue;
    r.province = name;
    s = after;
    if (MUNICIPALITIES.has(name)) {
      r.city = name;
      if (s.startsWith(name)) s = s.slice(name.length);
      if (s.startsWith('市辖区')) s = s.slice(3);
    }
    break;
  }
  if (r.city === undefined) {
    const m = take(CITY);
    if (m) r.city = m[0];
  }
  const d = DISTRICT.exec(s);
  if (d && !d[0].endsWith('小区') && (r.city !== undefined || !d[0].endsWith('市'))) {
    r.district = d[0];
    s = s.slice(d[0].length);
  }
  const st = take(STREET);
  if (st) r.street = st[0];
  const c = COMMUNITY.exec(s);
  if (c && !c[0].endsWith('新村')) {
    r.community = c[0];
    s = s.slice(c[0].length);
  }

  // Road, or an estate whose name contains 路/街 (锦绣路小区).
  const road = ROAD.exec(s);
  if (road) {
    const afterRoad = s.slice(road[0].length);
    const estateWhole = ESTATE.exec(s);
    if (road[2] === undefined && estateWhole && !ESTATE.test(afterRoad)) {
      r.estate = estateWhole[0];
      s = s.slice(estateWhole[0].length);
    } else {
      r.road = road[0];
      s = afterRoad;
      // 纬五路12号院: the compound at that number.
      if (road[2] !== undefined && s.startsWith('院')) {
        r.estate = `${road[0]}院`;
        s = s.slice(1);
      }
    }
  }
  if (r.estate === undefined) {
    const e = take(ESTATE);
    if (e) r.estate = e[0];
  }
  if (r.estate !== undefined) {
    const phase = take(PHASE);
    if (phase) r.estate += phase[0];
  }
  const compound = take(NUMBERED_COMPOUND);
  if (compound) r.estate = (r.estate ?? '') + compound[0];

  const d3 = DASHED3.exec(s);
  if (d3) {
    r.building = num(d3[1] ?? '');
    r.unit = num(d3[2] ?? '');
    r.room = d3[3] ?? '';
    return r;
  }
  const b = take(BUILDING);
  if (b) r.building = num(b[1] ?? '');
  const d2 = r.building !== undefined ? DASHED2.exec(s) : null;
  if (d2) {
    r.unit = num(d2[1] ?? '');
    r.room = d2[2] ?? '';
    return r;
  }
  const u = take(UNIT);
  if (u) r.unit = num(u[1] ?? '');
  if (r.building !== undefined || r.unit !== undefined) {
    const f = take(FLOOR);
    if (f) r.floor = num(f[1] ?? '');
  }
  const room = ROOM.exec(s);
  if (room && (room[0].length === s.length || r.building !== undefined || r.unit !== undefined)) {
    r.room = (room[1] ?? '').toUpperCase();
    s = s.slice(room[0].length);
  }
  if (s !== '') r.rest = s;
  return r;
}

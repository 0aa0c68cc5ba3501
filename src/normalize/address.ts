/**
 * Splits a Chinese address into its levels, left to right, each level optional:
 * 省 / 市 / 区县 / 街道乡镇 / 社区村 / 路+号 / 小区 / 楼 / 单元 / 层 / 室.
 * Heuristic by design: what is not recognised ends up in `rest`, nothing is dropped from `normalized`.
 */
import type { CellValue } from '../ingest/types.js';
import { cellText, isPlaceholder, isPlainSimplified, isPlainText, parseChineseNumeral, toSimplified } from './text.js';
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

// PROVINCE_FORMS by first character (code), in the same order: the forms that can start a string.
const PROVINCE_FORMS_BY_FIRST = new Map<number, (readonly [string, string])[]>();
for (const entry of PROVINCE_FORMS) {
  const first = entry[0].charCodeAt(0);
  const list = PROVINCE_FORMS_BY_FIRST.get(first) ?? [];
  list.push(entry);
  PROVINCE_FORMS_BY_FIRST.set(first, list);
}
const NO_FORMS: readonly (readonly [string, string])[] = [];
const ROAD_START = /^(?:大道|大街|路|街|道|巷)/;
const BRACKET = /[()[\]【】]/;
const BRACKETS = /[()[\]【】]/g;

const NUM = '\\d+|[一二三四五六七八九十〇零两]+';
const CITY = /^[^\d省市区县路街道号镇乡村巷楼栋室单元社]{1,8}?(?:自治州|地区|市|盟)/g;
const DISTRICT = /^[^\d省区县路街道号镇乡村巷楼栋室单元社旗]{1,10}?(?:自治县|自治旗|新区|区|县|旗|市)/g;
const STREET = /^[^\d号楼栋室单元区县]{1,10}?(?:街道办事处|街道办|街道|镇|乡|苏木)(?![路街道巷])/g;
const COMMUNITY = /^[^\d号楼栋室单元区县镇乡]{1,10}?(?:社区居民委员会|社区居委会|社区|居民委员会|居委会|村民委员会|村委会|村)(?![路街道巷])/g;
// The number belongs to the road unless it is a building number (12号楼).
// The level patterns up to NUMBERED_COMPOUND carry the g flag for prefixLength.
const ROAD = /^([^\d号楼栋室单元#]{1,15}?(?:大道|大街|路|街|巷|胡同|弄|道))(?:((?:[甲乙丙丁]?\d+(?:[-之]\d+)?)号)(?![楼#]))?/g;
const ESTATE = /^[^\d号楼栋室单元#]{1,20}?(?:小区|花园|家园|公寓|大厦|广场|新村|山庄|公馆|宿舍|家属院|苑|院|城|府|园|庭|里|湾|邸|阁|居)(?=[\dA-Za-z一二三四五六七八九十]|$)/g;
const PHASE = new RegExp(`^(?:${NUM})期`, 'g');
const NUMBERED_COMPOUND = /^\d+号院/g;
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

/**
 * Per BMP code unit: 0 not yet seen, 1 ordinary, 2 whitespace, a dash or a bracket — the
 * characters normalizeAddressText and the bracket step would change.
 */
const SPECIAL = new Uint8Array(0x10000);
const SPECIAL_CHAR = /[\s‐‑–—―~～()[\]【】]/;

function isOrdinaryAddressText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let state = SPECIAL[code];
    if (state === 0) SPECIAL[code] = state = SPECIAL_CHAR.test(String.fromCharCode(code)) ? 2 : 1;
    if (state !== 1) return false;
  }
  return true;
}

const SPACE = /\s/;
const SPACES = /\s+/g;
const DASH = /[‐‑–—―~～]/;
const DASHES = /[‐‑–—―~～]/g;

/** Comparison form: NFKC, no spaces, simplified, dashes unified. */
export function normalizeAddressText(text: string): string {
  let s = isPlainText(text) ? text : text.normalize('NFKC');
  if (SPACE.test(s)) s = s.replace(SPACES, '');
  s = toSimplified(s);
  return DASH.test(s) ? s.replace(DASHES, '-') : s;
}

// Addresses repeat (a household shares one; 户籍地 and 现住址 are often the same): results are
// kept by the cell's text. Callers get a copy, so the cached result cannot be changed.
const ADDRESS_CACHE_LIMIT = 50_000;
const addressCache = new Map<string, AddressResult | null>();

// The last few addresses read, checked before the Map: a household's rows are usually together.
const RECENT = 4;
const recentTexts: string[] = [];
const recentResults: (AddressResult | null)[] = [];
let recentNext = 0;

/** Parses one address cell; null when empty. */
export function parseAddress(value: CellValue): AddressResult | null {
  if (typeof value !== 'string') return readAddress(value);
  let result: AddressResult | null | undefined;
  for (let i = 0; i < recentTexts.length; i++) {
    if (recentTexts[i] === value) {
      result = recentResults[i]!;
      return result === null ? null : { ...result };
    }
  }
  result = addressCache.get(value);
  if (result === undefined) {
    result = readAddress(value);
    if (addressCache.size >= ADDRESS_CACHE_LIMIT) addressCache.clear();
    addressCache.set(value, result);
  }
  recentTexts[recentNext] = value;
  recentResults[recentNext] = result;
  recentNext = (recentNext + 1) % RECENT;
  return result === null ? null : { ...result };
}

function readAddress(value: CellValue): AddressResult | null {
  let text: string;
  let r: AddressResult;
  let s: string;
  if (typeof value === 'string' && isOrdinaryAddressText(value) && isPlainSimplified(value)) {
    // The usual cell: its own cellText (nothing to normalise or trim), its own
    // normalizeAddressText (no space, dash or traditional character) and without brackets.
    text = value;
    if (isPlaceholder(text)) return null;
    r = { original: value, normalized: value };
    s = value;
  } else {
    text = cellText(value);
    if (isPlaceholder(text)) return null;
    const normalized = normalizeAddressText(text);
    r = { original: typeof value === 'string' ? value.trim() : text, normalized };
    // Brackets hold remarks or repeat a level: 金水区（西湖社区）.
    s = BRACKET.test(normalized) ? normalized.replace(BRACKETS, '') : normalized;
  }

  for (const [form, name] of PROVINCE_FORMS_BY_FIRST.get(s.charCodeAt(0)) ?? NO_FORMS) {
    if (!s.startsWith(form)) continue;
    const after = s.slice(form.length);
    // A short form must not be the start of a road name (上海路, 河南街).
    if (form !== name && (after === '' || ROAD_START.test(after))) continue;
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
    const n = prefixLength(CITY, s);
    if (n >= 0) {
      r.city = s.slice(0, n);
      s = s.slice(n);
    }
  }
  const dn = prefixLength(DISTRICT, s);
  if (dn >= 0) {
    const d = s.slice(0, dn);
    if (!d.endsWith('小区') && (r.city !== undefined || !d.endsWith('市'))) {
      r.district = d;
      s = s.slice(dn);
    }
  }
  const stn = prefixLength(STREET, s);
  if (stn >= 0) {
    r.street = s.slice(0, stn);
    s = s.slice(stn);
  }
  const cn = prefixLength(COMMUNITY, s);
  if (cn >= 0) {
    const c = s.slice(0, cn);
    if (!c.endsWith('新村')) {
      r.community = c;
      s = s.slice(cn);
    }
  }

  // Road, or an estate whose name contains 路/街 (锦绣路小区).
  const roadLength = prefixLength(ROAD, s);
  if (roadLength >= 0) {
    const road = s.slice(0, roadLength);
    // The road's name never ends in 号: it does when the number (ROAD's second group) is there.
    const numbered = road.endsWith('号');
    const afterRoad = s.slice(roadLength);
    const estateLength = prefixLength(ESTATE, s);
    if (!numbered && estateLength >= 0 && prefixLength(ESTATE, afterRoad) < 0) {
      r.estate = s.slice(0, estateLength);
      s = s.slice(estateLength);
    } else {
      r.road = road;
      s = afterRoad;
      // 纬五路12号院: the compound at that number.
      if (numbered && s.startsWith('院')) {
        r.estate = `${road}院`;
        s = s.slice(1);
      }
    }
  }
  if (r.estate === undefined) {
    const en = prefixLength(ESTATE, s);
    if (en >= 0) {
      r.estate = s.slice(0, en);
      s = s.slice(en);
    }
  }
  if (r.estate !== undefined && startsWithNumeral(s)) {
    const pn = prefixLength(PHASE, s);
    if (pn >= 0) {
      r.estate += s.slice(0, pn);
      s = s.slice(pn);
    }
  }
  const compoundLength = isDigit(s.charCodeAt(0)) ? prefixLength(NUMBERED_COMPOUND, s) : -1;
  if (compoundLength >= 0) {
    r.estate = (r.estate ?? '') + s.slice(0, compoundLength);
    s = s.slice(compoundLength);
  }
  // The tail's parts, in the order readTail gives them (always this one).
  const tail = tailOf(s);
  if (tail.building !== undefined) r.building = tail.building;
  if (tail.unit !== undefined) r.unit = tail.unit;
  if (tail.floor !== undefined) r.floor = tail.floor;
  if (tail.room !== undefined) r.room = tail.room;
  if (tail.rest !== undefined) r.rest = tail.rest;
  return r;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** True when s starts with what PHASE's numeral can start with (a digit or a Chinese numeral). */
function startsWithNumeral(s: string): boolean {
  const code = s.charCodeAt(0);
  return isDigit(code) || NUMERAL_CHARS.includes(s.charAt(0));
}

const NUMERAL_CHARS = '一二三四五六七八九十〇零两';

/**
 * Length of the match of `re` (anchored with ^, flag g) at the start of s, or -1. Same match
 * as re.exec(s), without building the match array.
 */
function prefixLength(re: RegExp, s: string): number {
  re.lastIndex = 0;
  return re.test(s) ? re.lastIndex : -1;
}

/** Building, unit, floor, room and rest: what follows the estate (or whatever came last). */
type AddressTail = Pick<AddressResult, 'building' | 'unit' | 'floor' | 'room' | 'rest'>;

// The end of an address ('3号楼2单元401') depends on nothing before it, and repeats a lot.
const TAIL_CACHE_LIMIT = 10_000;
const tailCache = new Map<string, AddressTail>();

function tailOf(s: string): AddressTail {
  let tail = tailCache.get(s);
  if (tail === undefined) {
    tail = readTail(s);
    if (tailCache.size >= TAIL_CACHE_LIMIT) tailCache.clear();
    tailCache.set(s, tail);
  }
  return tail;
}

function readTail(rest: string): AddressTail {
  let s = rest;
  const r: AddressTail = {};
  const d3 = DASHED3.exec(s);
  if (d3) {
    r.building = num(d3[1] ?? '');
    r.unit = num(d3[2] ?? '');
    r.room = d3[3] ?? '';
    return r;
  }
  const b = BUILDING.exec(s);
  if (b) {
    r.building = num(b[1] ?? '');
    s = s.slice(b[0].length);
  }
  const d2 = r.building !== undefined ? DASHED2.exec(s) : null;
  if (d2) {
    r.unit = num(d2[1] ?? '');
    r.room = d2[2] ?? '';
    return r;
  }
  const u = UNIT.exec(s);
  if (u) {
    r.unit = num(u[1] ?? '');
    s = s.slice(u[0].length);
  }
  if (r.building !== undefined || r.unit !== undefined) {
    const f = FLOOR.exec(s);
    if (f) {
      r.floor = num(f[1] ?? '');
      s = s.slice(f[0].length);
    }
  }
  const room = ROOM.exec(s);
  if (room && (room[0].length === s.length || r.building !== undefined || r.unit !== undefined)) {
    r.room = (room[1] ?? '').toUpperCase();
    s = s.slice(room[0].length);
  }
  if (s !== '') r.rest = s;
  return r;
}

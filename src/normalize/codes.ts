/** National code lists and normalisers that accept either the code or the word. */
import type { CellValue } from '../ingest/types.js';
import { cellText, isPlaceholder, stripSpaces, toSimplified } from './text.js';
import type { CodeAndLabel, ParseResult, PersonStatus } from './types.js';

/** GB/T 2261.1 sex. */
export const SEX_CODES: Readonly<Record<string, string>> = { '0': '未知的性别', '1': '男', '2': '女', '9': '未说明的性别' };

/** GB/T 2261.2 marital status. */
export const MARITAL_CODES: Readonly<Record<string, string>> = {
  '10': '未婚', '20': '已婚', '21': '初婚', '22': '再婚', '23': '复婚', '30': '丧偶', '40': '离婚', '90': '未说明的婚姻状况',
};

/** GB 3304 ethnic groups (names without 族), plus 97/98 as used in practice. */
export const ETHNICITY_CODES: Readonly<Record<string, string>> = {
  '01': '汉', '02': '蒙古', '03': '回', '04': '藏', '05': '维吾尔', '06': '苗', '07': '彝', '08': '壮',
  '09': '布依', '10': '朝鲜', '11': '满', '12': '侗', '13': '瑶', '14': '白', '15': '土家', '16': '哈尼',
  '17': '哈萨克', '18': '傣', '19': '黎', '20': '傈僳', '21': '佤', '22': '畲', '23': '高山', '24': '拉祜',
  '25': '水', '26': '东乡', '27': '纳西', '28': '景颇', '29': '柯尔克孜', '30': '土', '31': '达斡尔',
  '32': '仫佬', '33': '羌', '34': '布朗', '35': '撒拉', '36': '毛南', '37': '仡佬', '38': '锡伯', '39': '阿昌',
  '40': '普米', '41': '塔吉克', '42': '怒', '43': '乌孜别克', '44': '俄罗斯', '45': '鄂温克', '46': '德昂',
  '47': '保安', '48': '裕固', '49': '京', '50': '塔塔尔', '51': '独龙', '52': '鄂伦春', '53': '赫哲',
  '54': '门巴', '55': '珞巴', '56': '基诺', '97': '其他', '98': '外国血统中国籍人士',
};

/** GB/T 4761-2008 relationship to the head of household. */
export const RELATIONSHIP_CODES: Readonly<Record<string, string>> = {
  '01': '本人', '02': '户主', '10': '配偶', '11': '夫', '12': '妻',
  '20': '子', '21': '独生子', '22': '长子', '23': '次子', '24': '三子', '25': '四子', '26': '五子',
  '27': '养子或继子', '28': '女婿', '29': '其他儿子',
  '30': '女', '31': '独生女', '32': '长女', '33': '次女', '34': '三女', '35': '四女', '36': '五女',
  '37': '养女或继女', '38': '儿媳', '39': '其他女儿',
  '40': '孙子、孙女或外孙子、外孙女', '41': '孙子', '42': '孙女', '43': '外孙子', '44': '外孙女',
  '45': '孙媳妇或外孙媳妇', '46': '孙女婿或外孙女婿', '47': '曾孙子或外曾孙子', '48': '曾孙女或外曾孙女',
  '49': '其他孙子、孙女或外孙子、外孙女',
  '50': '父母', '51': '父亲', '52': '母亲', '53': '公公', '54': '婆婆', '55': '岳父', '56': '岳母',
  '57': '继父或养父', '58': '继母或养母', '59': '其他父母关系',
  '60': '祖父母或外祖父母', '61': '祖父', '62': '祖母', '63': '外祖父', '64': '外祖母',
  '65': '配偶的祖父母或外祖父母', '66': '曾祖父', '67': '曾祖母', '68': '配偶的曾祖父母或外曾祖父母',
  '69': '其他祖父母或外祖父母关系',
  '70': '兄弟姐妹', '71': '兄', '72': '嫂', '73': '弟', '74': '弟媳', '75': '姐姐', '76': '姐夫',
  '77': '妹妹', '78': '妹夫', '79': '其他兄弟姐妹',
  '80': '其他', '81': '伯父', '82': '伯母', '83': '叔父', '84': '婶母', '85': '舅父', '86': '舅母',
  '87': '姨父', '88': '姨母', '89': '姑父', '90': '姑母', '91': '堂兄弟、堂姐妹', '92': '表兄弟、表姐妹',
  '93': '侄子', '94': '侄女', '95': '外甥', '96': '外甥女', '97': '其他亲属', '99': '非亲属',
};

/** 人员状态 words of the police system. */
export const PERSON_STATUS_LABELS: Readonly<Record<PersonStatus, string>> = {
  active: '正常', moved_out: '迁出', deceased: '死亡', cancelled: '注销',
};

// --- results by cell text ------------------------------------------------------------------
// A code column holds a handful of distinct texts: each is read once. The normalize… functions
// return a copy of the remembered result, so it cannot be changed; the …Shared ones (for the
// adapters, which only read it) return the remembered result itself.

const CODE_CACHE_LIMIT = 10_000;
const sexResults = new Map<string, ParseResult<string>>();
const maritalResults = new Map<string, ParseResult<string>>();
const ethnicityResults = new Map<string, ParseResult<string>>();
const relationshipResults = new Map<string, ParseResult<CodeAndLabel>>();
const statusResults = new Map<string, ParseResult<PersonStatus>>();

function memoized<T>(cache: Map<string, ParseResult<T>>, value: CellValue, read: (value: CellValue) => ParseResult<T>): ParseResult<T> {
  if (typeof value !== 'string') return read(value);
  let result = cache.get(value);
  if (result === undefined) {
    result = read(value);
    if (cache.size >= CODE_CACHE_LIMIT) cache.clear();
    cache.set(value, result);
  }
  return result;
}

function copyResult<T>(result: ParseResult<T>): ParseResult<T> {
  if (result.ok === true) {
    const value = result.value;
    // CodeAndLabel is the only object value.
    return { ok: true, value: typeof value === 'object' && value !== null ? { ...value } : value };
  }
  return result.ok === false ? { ok: false, reason: result.reason } : { ok: 'empty' };
}

/** Cell → comparable key: NFKC, no spaces, simplified, lower-case. */
function key(value: CellValue): string {
  return toSimplified(stripSpaces(cellText(value))).toLowerCase();
}

function isEmpty(value: CellValue): boolean {
  return isPlaceholder(cellText(value));
}

/** Looks a key up in the word table, then as a code (accepting unpadded codes such as '5' and '5.0'). */
function lookup(
  value: CellValue,
  words: ReadonlyMap<string, string>,
  codes: Readonly<Record<string, string>>,
  width: number,
  what: string,
): ParseResult<string> {
  if (isEmpty(value)) return { ok: 'empty' };
  const k = key(value);
  const word = words.get(k);
  if (word !== undefined) return { ok: true, value: word };
  const m = /^(\d+)(?:\.0+)?$/.exec(k);
  if (m) {
    const code = (m[1] ?? '').replace(/^0+(?=\d)/, '').padStart(width, '0');
    if (codes[code] !== undefined) return { ok: true, value: code };
  }
  return { ok: false, reason: `unknown ${what}: "${cellText(value)}"` };
}

function table(entries: Record<string, readonly string[]>): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const [code, words] of Object.entries(entries)) for (const w of words) map.set(w, code);
  return map;
}

const SEX_WORDS = table({
  '1': ['男', '男性', 'm', 'male', '男士'],
  '2': ['女', '女性', 'f', 'female', '女士'],
  '0': ['未知', '未知的性别', '不详'],
  '9': ['未说明', '未说明的性别'],
});

/** GB/T 2261.1: 男/男性/M/1 → '1', 女/女性/F/2 → '2', 未知/0 → '0', 未说明/9 → '9'. */
export function normalizeSex(value: CellValue): ParseResult<string> {
  return copyResult(memoized(sexResults, value, readSex));
}

/** normalizeSex's result, shared with other calls: the caller must not change it. */
export function normalizeSexShared(value: CellValue): ParseResult<string> {
  return memoized(sexResults, value, readSex);
}

function readSex(value: CellValue): ParseResult<string> {
  return lookup(value, SEX_WORDS, SEX_CODES, 1, 'sex');
}

const MARITAL_WORDS = table({
  '10': ['未婚', '未婚无配偶', '单身'],
  '20': ['已婚', '有配偶', '已婚有配偶', '在婚'],
  '21': ['初婚', '初婚有配偶'],
  '22': ['再婚', '再婚有配偶'],
  '23': ['复婚', '复婚有配偶'],
  '30': ['丧偶', '丧偶无配偶', '孀居'],
  '40': ['离婚', '离异', '离婚无配偶'],
  '90': ['未说明', '未说明的婚姻状况', '不详'],
});

// GB 4766-84, the predecessor, used one digit: 1 未婚, 2 已婚, 3 丧偶, 4 离婚, 9 未说明.
const MARITAL_ONE_DIGIT: Readonly<Record<string, string>> = { '1': '10', '2': '20', '3': '30', '4': '40', '9': '90' };

/** GB/T 2261.2: words ('已婚', '有配偶', '離婚') or codes ('20', 20, and the old one-digit codes). */
export function normalizeMaritalStatus(value: CellValue): ParseResult<string> {
  return copyResult(memoized(maritalResults, value, readMaritalStatus));
}

/** normalizeMaritalStatus's result, shared with other calls: the caller must not change it. */
export function normalizeMaritalStatusShared(value: CellValue): ParseResult<string> {
  return memoized(maritalResults, value, readMaritalStatus);
}

function readMaritalStatus(value: CellValue): ParseResult<string> {
  if (isEmpty(value)) return { ok: 'empty' };
  const old = MARITAL_ONE_DIGIT[key(value).replace(/\.0+$/, '')];
  if (old !== undefined) return { ok: true, value: old };
  return lookup(value, MARITAL_WORDS, MARITAL_CODES, 2, 'marital status');
}

const ETHNICITY_WORDS: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  for (const [code, name] of Object.entries(ETHNICITY_CODES)) {
    map.set(name, code);
    if (code !== '97' && code !== '98') map.set(`${name}族`, code);
  }
  // Abbreviations staff type, and the usual spellings of 97/98.
  const extra: Record<string, string> = {
    维族: '05', 蒙族: '02', 其它: '97', 其他族: '97', 其它族: '97',
    未识别: '97', 未识别民族: '97', 穿青人: '97', 外国血统: '98', 外国人入籍: '98', 入籍: '98',
  };
  for (const [w, code] of Object.entries(extra)) map.set(w, code);
  return map;
})();

/** GB 3304: '汉', '汉族', '漢族', '01', '1', 1 → '01'. */
export function normalizeEthnicity(value: CellValue): ParseResult<string> {
  return copyResult(memoized(ethnicityResults, value, readEthnicity));
}

/** normalizeEthnicity's result, shared with other calls: the caller must not change it. */
export function normalizeEthnicityShared(value: CellValue): ParseResult<string> {
  return memoized(ethnicityResults, value, readEthnicity);
}

function readEthnicity(value: CellValue): ParseResult<string> {
  return lookup(value, ETHNICITY_WORDS, ETHNICITY_CODES, 2, 'ethnicity');
}

const RELATIONSHIP_WORDS: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  for (const [code, label] of Object.entries(RELATIONSHIP_CODES)) {
    map.set(label, code);
    // '养子或继子' also answers to '养子' and '继子'; '配偶的…' labels are not split (their parts mean something else).
    if (label.startsWith('配偶的')) continue;
    for (const part of label.split(/[、或]/)) if (part !== '' && !map.has(part)) map.set(part, code);
  }
  const extra: Record<string, string> = {
    户主本人: '02', 丈夫: '11', 妻子: '12', 爱人: '10', 老伴: '10',
    儿子: '20', 之子: '20', 二子: '23', 养子: '27', 继子: '27', 六子: '29',
    女儿: '30', 之女: '30', 二女: '33', 养女: '37', 继女: '37', 六女: '39', 儿媳妇: '38', 媳妇: '38',
    孙子女: '40', 孙辈: '40', 孙子孙女: '40', 外孙: '43', 外孙子女: '40', 曾孙: '47',
    孙媳: '45', 孙媳妇: '45', 孙女婿: '46', 曾孙女: '48',
    父: '51', 之父: '51', 爸爸: '51', 母: '52', 之母: '52', 妈妈: '52',
    继父: '57', 养父: '57', 继母: '58', 养母: '58',
    祖父母: '60', 爷爷: '61', 奶奶: '62', 外公: '63', 姥爷: '63', 外婆: '64', 姥姥: '64',
    兄弟: '70', 姐妹: '70', 哥哥: '71', 姐: '75', 妹: '77', 嫂子: '72', 弟弟: '73', 弟媳妇: '74',
    侄儿: '93', 外甥子: '95', 其它: '80', 亲属: '97', 其他亲戚: '97', 非亲属关系: '99', 保姆: '99', 寄住: '99',
  };
  for (const [w, code] of Object.entries(extra)) map.set(w, code);
  return map;
})();

/**
 * GB/T 4761: a code ('20', 20, '2' → '02') or a word ('长子', '之子', '户主之女', '孙子女', '外孙').
 * Words are mapped to the nearest code of the standard.
 */
export function normalizeRelationship(value: CellValue): ParseResult<CodeAndLabel> {
  return copyResult(memoized(relationshipResults, value, readRelationship));
}

/** normalizeRelationship's result, shared with other calls: the caller must not change it. */
export function normalizeRelationshipShared(value: CellValue): ParseResult<CodeAndLabel> {
  return memoized(relationshipResults, value, readRelationship);
}

function readRelationship(value: CellValue): ParseResult<CodeAndLabel> {
  if (isEmpty(value)) return { ok: 'empty' };
  let k = key(value);
  // '户主之子', '户主的妻子': relative to the head, which is what the field means anyway.
  const stripped = k.replace(/^户主(?:之|的)?(?=.)/, '').replace(/^的(?=.)/, '');
  if (!RELATIONSHIP_WORDS.has(k) && RELATIONSHIP_WORDS.has(stripped)) k = stripped;
  const r = lookup(k, RELATIONSHIP_WORDS, RELATIONSHIP_CODES, 2, 'relationship');
  if (r.ok !== true) return r.ok === false ? { ok: false, reason: `unknown relationship: "${cellText(value)}"` } : r;
  return { ok: true, value: { code: r.value, label: RELATIONSHIP_CODES[r.value] ?? '' } };
}

const STATUS_WORDS: ReadonlyMap<string, PersonStatus> = new Map<string, PersonStatus>([
  ['正常', 'active'], ['在册', 'active'], ['有效', 'active'], ['在籍', 'active'],
  ['迁出', 'moved_out'], ['已迁出', 'moved_out'], ['户口迁出', 'moved_out'], ['户籍迁出', 'moved_out'], ['迁往外地', 'moved_out'],
  ['死亡', 'deceased'], ['已死亡', 'deceased'], ['死亡注销', 'deceased'], ['已故', 'deceased'],
  ['注销', 'cancelled'], ['已注销', 'cancelled'],
]);

/** 人员状态: 正常 → 'active', 迁出 → 'moved_out', 死亡 → 'deceased', 注销 → 'cancelled'. */
export function normalizePersonStatus(value: CellValue): ParseResult<PersonStatus> {
  return copyResult(memoized(statusResults, value, readPersonStatus));
}

/** normalizePersonStatus's result, shared with other calls: the caller must not change it. */
export function normalizePersonStatusShared(value: CellValue): ParseResult<PersonStatus> {
  return memoized(statusResults, value, readPersonStatus);
}

function readPersonStatus(value: CellValue): ParseResult<PersonStatus> {
  if (isEmpty(value)) return { ok: 'empty' };
  const status = STATUS_WORDS.get(key(value));
  if (status !== undefined) return { ok: true, value: status };
  return { ok: false, reason: `unknown person status: "${cellText(value)}"` };
}

/** 男 / 女 / … for a GB/T 2261.1 code; undefined for an unknown code. */
export function sexLabel(code: string): string | undefined {
  return SEX_CODES[code];
}

/** Label of a GB/T 2261.2 code. */
export function maritalLabel(code: string): string | undefined {
  return MARITAL_CODES[code];
}

/** Label of a GB 3304 code with 族 ('01' → '汉族'); 97/98 as they are. */
export function ethnicityLabel(code: string): string | undefined {
  const name = ETHNICITY_CODES[code];
  if (name === undefined) return undefined;
  return code === '97' || code === '98' ? name : `${name}族`;
}

/** Label of a GB/T 4761 code. */
export function relationshipLabel(code: string): string | undefined {
  return RELATIONSHIP_CODES[code];
}

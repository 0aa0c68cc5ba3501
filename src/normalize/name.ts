/** Personal names: a match form, pinyin read as a name (单 shan, 尉迟 yuchi), and the surname. */
import { pinyin } from 'pinyin-pro';
import type { CellValue } from '../ingest/types.js';
import { cellText, isPlainHan, isPlaceholder, toSimplified } from './text.js';
import type { NameResult } from './types.js';

/** Two-character surnames, recognised when the name has at least three characters. */
export const COMPOUND_SURNAMES: ReadonlySet<string> = new Set([
  '欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒',
  '夏侯', '轩辕', '令狐', '端木', '万俟', '独孤', '南宫', '西门', '百里', '呼延', '闻人', '澹台',
  '公冶', '宗政', '濮阳', '淳于', '单于', '太叔', '申屠', '仲孙', '鲜于', '闾丘', '司空', '亓官',
  '司寇', '子车', '颛孙', '钟离', '宰父', '谷梁', '拓跋', '夹谷', '梁丘', '左丘', '东郭', '南门',
  '羊舌', '微生', '公羊', '公良', '乐正', '漆雕', '壤驷', '公西', '巫马', '段干', '东门', '第五',
  '赫连', '完颜',
]);

// Middle dots and look-alikes used between the parts of Uyghur, Tibetan and foreign names
// (after NFKC, which already maps ．→. ･→・ －→-).
const SEPARATORS = /[·•.・‧∙⋅･ㆍ⸱᛫‐‑–—―﹒-]+/g;
const HAS_SEPARATOR = /[^\s·•.・‧∙⋅･ㆍ⸱᛫‐‑–—―﹒-][·•.・‧∙⋅･ㆍ⸱᛫‐‑–—―﹒-]+(?=[^\s·•.・‧∙⋅･ㆍ⸱᛫‐‑–—―﹒-])/u;
// Remarks typed after a name: 张伟(已故), 李娜【小】.
const REMARKS = /\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕/g;
const ALL_HAN = /^\p{Script=Han}+$/u;
const HAN_CHAR = /\p{Script=Han}/u;
const HAN_SPACE_HAN = /(\p{Script=Han})\s+(?=\p{Script=Han})/gu;

const SURNAME_OPTIONS = { toneType: 'none', type: 'array', surname: 'head', v: true } as const;
const GIVEN_OPTIONS = { toneType: 'none', type: 'array', v: true } as const;

// pinyin-pro dominates the cost (~150k calls/s). Surnames and given names repeat far more than
// whole names, so they are read and cached separately (checked equal to whole-name reading).
const CACHE_LIMIT = 100_000;
const surnameCache = new Map<string, Reading>();
const givenCache = new Map<string, Reading>();

/** Pinyin syllables of a run of Han characters, and their joins (with spaces, without). */
interface Reading {
  syllables: readonly string[];
  spaced: string;
  compact: string;
}

function cachedReading(cache: Map<string, Reading>, han: string, surnameMode: boolean): Reading {
  let reading = cache.get(han);
  if (reading === undefined) {
    const syllables = pinyin(han, surnameMode ? SURNAME_OPTIONS : GIVEN_OPTIONS).map((s) => s.toLowerCase());
    reading = { syllables, spaced: syllables.join(' '), compact: syllables.join('') };
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(han, reading);
  }
  return reading;
}

function cachedRead(cache: Map<string, Reading>, han: string, surnameMode: boolean): readonly string[] {
  return cachedReading(cache, han, surnameMode).syllables;
}

/** Pinyin syllables of an all-Han name whose surname has surnameLength characters. */
function readHanName(chars: readonly string[], surnameLength: number): string[] {
  const surname = cachedRead(surnameCache, chars.slice(0, surnameLength).join(''), true);
  if (chars.length <= surnameLength) return [...surname];
  return [...surname, ...cachedRead(givenCache, chars.slice(surnameLength).join(''), false)];
}

/**
 * Normalises one name cell; null when it is empty.
 * Names with a separator (买买提·艾力) have no surname in the Han sense: by convention the
 * first character of the first part is reported as the surname.
 */
export function normalizeName(value: CellValue): NameResult | null {
  const result = normalizeNameShared(value);
  return result === null ? null : { ...result };
}

/** normalizeName's result, shared with other calls: the caller must not change it. */
export function normalizeNameShared(value: CellValue): NameResult | null {
  if (typeof value !== 'string') return readName(value);
  let result = nameCache.get(value);
  if (result === undefined) {
    result = isPlainHan(value) ? readPlainHanName(value) : readName(value);
    if (nameCache.size >= NAME_CACHE_LIMIT) nameCache.clear();
    nameCache.set(value, result);
  }
  return result;
}

// Whole names repeat (spouses, household members, several exports of one person): results are
// kept by the cell's text. normalizeName returns a copy, so the cached result cannot be changed.
const NAME_CACHE_LIMIT = 50_000;
const nameCache = new Map<string, NameResult | null>();

/**
 * readName for the usual cell, only Han characters and nothing to clean: no spaces, separators,
 * remarks or full-width forms (isPlainHan). Gives what readName gives, with less work.
 */
function readPlainHanName(text: string): NameResult | null {
  if (isPlaceholder(text)) return null;
  if (toSimplified(text) !== text) return readName(text);
  const isCompound = text.length >= 3 && COMPOUND_SURNAMES.has(text.slice(0, 2));
  const surnameLength = isCompound ? 2 : 1;
  const surname = text.slice(0, surnameLength);
  const head = cachedReading(surnameCache, surname, true);
  const tail = text.length <= surnameLength ? undefined : cachedReading(givenCache, text.slice(surnameLength), false);
  // readName's joins of [...head.syllables, ...tail.syllables], from the joins kept with the readings.
  const n = head.syllables.length;
  const m = tail === undefined ? 0 : tail.syllables.length;
  const spaced = tail === undefined || m === 0 ? head.spaced : n === 0 ? tail.spaced : `${head.spaced} ${tail.spaced}`;
  const compact = tail === undefined ? head.compact : head.compact + tail.compact;
  const surnamePinyin =
    n === surnameLength || (n < surnameLength && m === 0)
      ? head.compact
      : [...head.syllables, ...(tail?.syllables ?? [])].slice(0, surnameLength).join('');
  return {
    original: text,
    display: text,
    matchForm: text,
    pinyin: spaced,
    pinyinKey: compact,
    surname,
    surnamePinyin,
    wasTraditional: false,
    hasSeparator: false,
  };
}

function readName(value: CellValue): NameResult | null {
  const text = cellText(value);
  if (isPlaceholder(text)) return null;
  // Kept as typed (not NFKC), only trimmed and with runs of spaces collapsed.
  const original = typeof value === 'string' ? value.trim().replace(/\s+/g, ' ') : text;
  const hasSeparator = HAS_SEPARATOR.test(original);

  // Spaces between Han characters are padding (张\u3000伟), not part of the name.
  let display = original.replace(HAN_SPACE_HAN, '$1');
  if (hasSeparator) display = display.replace(SEPARATORS, '·');

  const nfkc = text.replace(/\s+/g, ' ');
  const base = nfkc.replace(REMARKS, '').trim() || nfkc;
  const simplified = toSimplified(base);
  const wasTraditional = simplified !== base;
  const words = simplified.toLowerCase().split(/[\s·•.・‧∙⋅･ㆍ⸱᛫‐‑–—―﹒-]+/).filter((w) => w !== '');
  const matchForm = words.join('');
  if (matchForm === '') return null;

  const chars = [...matchForm];
  const firstIsHan = HAN_CHAR.test(chars[0] ?? '');
  const isCompound = firstIsHan && !hasSeparator && chars.length >= 3 && COMPOUND_SURNAMES.has(`${chars[0] ?? ''}${chars[1] ?? ''}`);
  const surnameSyllables = isCompound ? 2 : 1;
  // Latin names: the first word stands in for the surname.
  const surname = !firstIsHan ? (words[0] ?? matchForm) : isCompound ? chars.slice(0, 2).join('') : (chars[0] ?? '');

  let syllables: string[];
  if (ALL_HAN.test(matchForm)) {
    syllables = readHanName(chars, surnameSyllables);
  } else {
    // Mixed or Latin names: Han runs read as pinyin, Latin words kept lower-case.
    syllables = [];
    let first = true;
    for (const word of words) {
      for (const run of word.match(/\p{Script=Han}+|[a-z]+|\d+/gu) ?? []) {
        if (HAN_CHAR.test(run)) {
          // Only the head of the name is read as a surname.
          syllables.push(...(first ? readHanName([...run], surnameSyllables) : cachedRead(givenCache, run, false)));
        } else {
          syllables.push(run);
        }
        first = false;
      }
    }
  }

  const surnamePinyin = syllables.slice(0, surnameSyllables).join('');

  return {
    original,
    display,
    matchForm,
    pinyin: syllables.join(' '),
    pinyinKey: syllables.join(''),
    surname,
    surnamePinyin,
    wasTraditional,
    hasSeparator,
  };
}

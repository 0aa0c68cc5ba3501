/**
 * Pinyin as people type it into a search box: with or without spaces, tone marks or tone
 * numbers, ü as v or u:, any case. Stored names carry their pinyin as the normaliser reads
 * it (src/normalize/name.ts: toneless, ü as v, syllables separated by one space), so a typed
 * pinyin is turned into the spaced readings it can stand for ('xian' is 'xian' or 'xi an'),
 * which the database then finds through its index on the stored pinyin. Pure.
 */
import { pinyin } from 'pinyin-pro';

let syllables: ReadonlySet<string> | undefined;

/**
 * Every toneless syllable the reader knows (about 420), taken from the reader itself over the
 * common CJK block, so that segmentation never disagrees with how stored names were read.
 */
export function pinyinSyllables(): ReadonlySet<string> {
  if (syllables === undefined) {
    let block = '';
    for (let c = 0x4e00; c <= 0x9fa5; c++) block += String.fromCharCode(c);
    const read = pinyin(block, { toneType: 'none', type: 'array', v: true });
    const set = new Set<string>();
    for (const s of read) {
      const lower = s.toLowerCase();
      // Characters without a reading come back as themselves; interjections without a vowel
      // (嗯 ng, 呣 m) would only split real syllables wrongly (ming → mi ng).
      if (/^[a-z]+$/.test(lower) && /[aeiouv]/.test(lower)) set.add(lower);
    }
    syllables = set;
  }
  return syllables;
}

/** The longest syllable ('zhuang', 'shuang'). */
const MAX_SYLLABLE = 6;
/** Readings of one typed pinyin beyond this many are not worth a query. */
export const MAX_READINGS = 16;

/**
 * Typed pinyin as lower-case toneless words: 'Zhāng Wěi' → ['zhang', 'wei'], 'lü3 xin' →
 * ['lv', 'xin'], "xi'an" → ['xi', 'an']. Null when the text holds anything but Latin letters,
 * tone marks or numbers, spaces, apostrophes and hyphens.
 */
export function pinyinWords(text: string): string[] | null {
  const decomposed = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/u:/g, 'v')
    .normalize('NFD')
    .replace(/u\u0308/g, 'v')
    .replace(/[\u0300-\u036f]/g, '');
  if (!/^[a-z1-5\s'’·-]*$/.test(decomposed)) return null;
  const words = decomposed
    .replace(/[1-5]/g, ' ')
    .split(/[\s'’·-]+/)
    .filter((w) => w !== '');
  return words.length === 0 ? null : words;
}

/** The ways one word splits into syllables ('xian' → ['xian', 'xi an']), at most `limit`. */
export function segmentWord(word: string, limit = MAX_READINGS): string[][] {
  const known = pinyinSyllables();
  const out: string[][] = [];
  const path: string[] = [];
  // Suffixes that cannot be split at all are remembered, so that a long non-pinyin word fails fast.
  const dead = new Set<number>();
  const walk = (start: number): boolean => {
    if (start === word.length) {
      out.push([...path]);
      return true;
    }
    if (dead.has(start)) return false;
    let any = false;
    // Longer syllables first: 'xian' before 'xi an', the usual reading of a name.
    for (let end = Math.min(word.length, start + MAX_SYLLABLE); end > start; end--) {
      if (out.length >= limit) return true;
      const s = word.slice(start, end);
      if (!known.has(s)) continue;
      path.push(s);
      if (walk(end)) any = true;
      path.pop();
    }
    if (!any) dead.add(start);
    return any;
  };
  walk(0);
  return out;
}

/**
 * The spaced readings ('zhang wei') a typed pinyin can stand for, most likely first; empty
 * when it is not pinyin. Each typed word is split on its own, then the words are combined.
 */
export function pinyinReadings(text: string, limit = MAX_READINGS): string[] {
  const words = pinyinWords(text);
  if (words === null) return [];
  let readings: string[][] = [[]];
  for (const word of words) {
    const splits = segmentWord(word, limit);
    if (splits.length === 0) return [];
    const next: string[][] = [];
    for (const r of readings) {
      for (const s of splits) {
        if (next.length >= limit) break;
        next.push([...r, ...s]);
      }
    }
    readings = next;
  }
  return readings.map((r) => r.join(' '));
}

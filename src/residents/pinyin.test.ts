import { describe, expect, it } from 'vitest';
import { normalizeName } from '../normalize/index.js';
import { pinyinReadings, pinyinSyllables, pinyinWords, segmentWord } from './pinyin.js';

describe('pinyinWords', () => {
  it.each([
    ['zhang wei', ['zhang', 'wei']],
    ['ZhangWei', ['zhangwei']],
    ['Zhāng Wěi', ['zhang', 'wei']],
    ['zhang1 wei3', ['zhang', 'wei']],
    ['zhang1wei3', ['zhang', 'wei']],
    ['lü xin', ['lv', 'xin']],
    ['lǚ xin', ['lv', 'xin']],
    ['lu: xin', ['lv', 'xin']],
    ["xi'an", ['xi', 'an']],
    ['ｚｈａｎｇ ｗｅｉ', ['zhang', 'wei']],
  ])('%s → %j', (text, words) => {
    expect(pinyinWords(text)).toEqual(words);
  });

  it.each(['张伟', 'zhang伟', '1990', '', '   ', 'zhang_wei'])('%j is not pinyin', (text) => {
    expect(pinyinWords(text)).toBeNull();
  });
});

describe('segmentWord', () => {
  it('knows the syllables the name reader produces, and only real ones', () => {
    const known = pinyinSyllables();
    for (const s of ['zhang', 'wei', 'lv', 'nv', 'shuang', 'a', 'er']) expect(known.has(s), s).toBe(true);
    for (const s of ['zh', 'x', 'q', 'wie']) expect(known.has(s), s).toBe(false);
  });

  it('splits a word every way it can, longest syllables first', () => {
    expect(segmentWord('zhangwei')).toEqual([['zhang', 'wei']]);
    expect(segmentWord('xian').map((s) => s.join(' '))).toEqual(['xian', 'xi an']);
    // Ambiguous: both readings are asked for, and the stored one is among them.
    expect(segmentWord('ouyangnana').map((s) => s.join(' '))).toEqual(expect.arrayContaining(['ou yang na na', 'ou yang nan a']));
  });

  it('gives nothing for a word that is no pinyin, and stops at the limit', () => {
    expect(segmentWord('qwrt')).toEqual([]);
    expect(segmentWord('xianxianxianxian', 3)).toHaveLength(3);
  });
});

describe('pinyinReadings', () => {
  it('reads typed pinyin in the spaced form the normaliser stores', () => {
    for (const name of ['张伟', '欧阳娜娜', '吕欣', '王小明']) {
      const stored = normalizeName(name)!.pinyin;
      const compact = stored.replaceAll(' ', '');
      expect(pinyinReadings(compact), name).toContain(stored);
      expect(pinyinReadings(stored), name).toContain(stored);
      expect(pinyinReadings(stored.toUpperCase()), name).toContain(stored);
    }
  });

  it('combines the readings of several typed words, and gives nothing when one is no pinyin', () => {
    expect(pinyinReadings('xian ming')).toEqual(['xian ming', 'xi an ming']);
    expect(pinyinReadings('zhang qwrt')).toEqual([]);
    expect(pinyinReadings('张伟')).toEqual([]);
  });
});

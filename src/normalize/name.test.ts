import { describe, it, expect } from 'vitest';
import { normalizeName } from './name.js';
import type { NameResult } from './types.js';

// Made-up names built from common characters; the historical ones only test surname readings.
describe('normalizeName', () => {
  it.each([
    [null],
    [''],
    ['   '],
    ['\u3000'],
    ['无'],
    ['·'],
  ])('empty %j → null', (input) => {
    expect(normalizeName(input)).toBeNull();
  });

  describe('match form', () => {
    it.each([
      ['张伟', '张伟'],
      ['  张伟  ', '张伟'],
      ['张 伟', '张伟'],
      ['张\u3000伟', '张伟'], // ideographic-space padding of two-character names
      ['张\u200B伟', '张伟'], // zero-width space
      ['買買提·艾力', '买买提艾力'],
      ['买买提·艾力', '买买提艾力'],
      ['买买提•艾力', '买买提艾力'],
      ['买买提.艾力', '买买提艾力'],
      ['买买提．艾力', '买买提艾力'], // full-width full stop
      ['买买提・艾力', '买买提艾力'], // katakana middle dot
      ['买买提･艾力', '买买提艾力'], // half-width katakana middle dot
      ['买买提‧艾力', '买买提艾力'], // hyphenation point
      ['买买提∙艾力', '买买提艾力'],
      ['买买提-艾力', '买买提艾力'],
      ['买买提 · 艾力', '买买提艾力'],
      ['张伟(已故)', '张伟'],
      ['李娜（小）', '李娜'],
      ['Ｚｈａｎｇ　Ｗｅｉ', 'zhangwei'],
    ])('%j → %s', (input, matchForm) => {
      expect(normalizeName(input)?.matchForm).toBe(matchForm);
    });
  });

  describe('traditional characters', () => {
    it.each([
      ['張偉', '张伟', true],
      ['陳', '陈', true],
      ['劉', '刘', true],
      ['黃', '黄', true],
      ['吳', '吴', true],
      ['趙', '赵', true],
      ['陳麗華', '陈丽华', true],
      ['鍾國強', '钟国强', true],
      ['蘇曉東', '苏晓东', true],
      // Valid simplified name characters that a blind t2s conversion would change:
      ['李昇', '李昇', false],
      ['乾文', '乾文', false],
      ['於明', '於明', false],
      ['王喆', '王喆', false],
      ['张堃', '张堃', false],
      ['刘淼', '刘淼', false],
      ['沈著', '沈著', false],
      // Already simplified, unchanged.
      ['张伟', '张伟', false],
      ['叶文', '叶文', false],
      ['余华', '余华', false],
    ])('%s → %s (wasTraditional %s)', (input, matchForm, wasTraditional) => {
      const r = normalizeName(input);
      expect(r?.matchForm).toBe(matchForm);
      expect(r?.wasTraditional).toBe(wasTraditional);
      expect(r?.original).toBe(input);
    });
  });

  describe('pinyin and surname', () => {
    it.each([
      ['张伟', 'zhang wei', '张', 'zhang'],
      ['單田芳', 'shan tian fang', '单', 'shan'],
      ['单志强', 'shan zhi qiang', '单', 'shan'],
      ['曾小华', 'zeng xiao hua', '曾', 'zeng'],
      ['解明', 'xie ming', '解', 'xie'],
      ['仇英', 'qiu ying', '仇', 'qiu'],
      ['区文', 'ou wen', '区', 'ou'],
      ['朴明', 'piao ming', '朴', 'piao'],
      ['查文', 'zha wen', '查', 'zha'],
      ['尉迟恭', 'yu chi gong', '尉迟', 'yuchi'],
      ['万俟卨', 'mo qi xie', '万俟', 'moqi'],
      ['欧阳娜娜', 'ou yang na na', '欧阳', 'ouyang'],
      ['司马光明', 'si ma guang ming', '司马', 'sima'],
      ['诸葛亮', 'zhu ge liang', '诸葛', 'zhuge'],
      ['上官婉儿', 'shang guan wan er', '上官', 'shangguan'],
      ['长孙无忌', 'zhang sun wu ji', '长孙', 'zhangsun'],
      ['司马', 'si ma', '司', 'si'], // two characters: surname + given name
      ['吕布', 'lv bu', '吕', 'lv'], // ü as v
      ['女娲', 'nv wa', '女', 'nv'],
      ['李娜', 'li na', '李', 'li'],
      ['买买提·艾力', 'mai mai ti ai li', '买', 'mai'], // no Han surname: first character by convention
      ['Zhang Wei', 'zhang wei', 'zhang', 'zhang'],
      ['ZHANG  WEI', 'zhang wei', 'zhang', 'zhang'],
      ['张a', 'zhang a', '张', 'zhang'],
    ])('%s → %s, surname %s (%s)', (input, pinyin, surname, surnamePinyin) => {
      const r = normalizeName(input);
      expect(r?.pinyin).toBe(pinyin);
      expect(r?.pinyinKey).toBe(pinyin.replace(/ /g, ''));
      expect(r?.surname).toBe(surname);
      expect(r?.surnamePinyin).toBe(surnamePinyin);
    });

    it('reads the same name the same way every time (caches)', () => {
      const first = normalizeName('曾小华');
      for (let i = 0; i < 3; i++) expect(normalizeName('曾小华')).toEqual(first);
    });

    it('homophones share a pinyin key', () => {
      expect(normalizeName('张玮')?.pinyinKey).toBe(normalizeName('张伟')?.pinyinKey);
    });
  });

  describe('original, display and separators', () => {
    it.each<[string, Partial<NameResult>]>([
      ['  张伟 ', { original: '张伟', display: '张伟', hasSeparator: false }],
      ['张\u3000\u3000伟', { original: '张 伟', display: '张伟', hasSeparator: false }],
      ['买买提•艾力', { original: '买买提•艾力', display: '买买提·艾力', hasSeparator: true }],
      ['买买提.艾力', { display: '买买提·艾力', hasSeparator: true }],
      ['阿卜杜拉・热合曼', { display: '阿卜杜拉·热合曼', hasSeparator: true }],
      ['張偉', { original: '張偉', display: '張偉' }], // display keeps the characters as written
      ['Zhang Wei', { original: 'Zhang Wei', display: 'Zhang Wei', hasSeparator: false }],
      ['张伟.', { hasSeparator: false, matchForm: '张伟' }], // a trailing dot separates nothing
    ])('%j', (input, expected) => {
      expect(normalizeName(input)).toMatchObject(expected);
    });
  });

  it('accepts non-string cells as text', () => {
    expect(normalizeName(12345)?.matchForm).toBe('12345');
  });
});

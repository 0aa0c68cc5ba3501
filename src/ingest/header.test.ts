import { describe, expect, it } from 'vitest';
import { cellToText, findHeaderRow, isFooterRow, normalizeHeader } from './header.js';
import type { SheetRow } from './types.js';

const KNOWN = new Set(['姓名', '性别', '公民身份号码', '出生日期', '月保障金额(元)', 'xm']);
const score = (cells: string[]) => cells.filter((c) => KNOWN.has(normalizeHeader(c))).length;
const rows = (...cells: (string | null)[][]): SheetRow[] => cells.map((c, i) => ({ rowNumber: i + 1, cells: c }));

describe('normalizeHeader', () => {
  it('folds width, spaces, line breaks, stars and case', () => {
    expect(normalizeHeader('月保障金额（元）')).toBe('月保障金额(元)');
    expect(normalizeHeader(' * 公民身份\n号码 ')).toBe('公民身份号码');
    expect(normalizeHeader('姓\u3000名')).toBe('姓名');
    expect(normalizeHeader('ＧＭＳＦＨＭ')).toBe('gmsfhm');
    expect(normalizeHeader('XM')).toBe('xm');
  });
});

describe('findHeaderRow', () => {
  it('skips title rows above the header', () => {
    const sheet = rows(
      ['金水区城市最低生活保障家庭成员花名册'],
      ['制表单位：西湖社区居委会  制表日期：2026-10-31'],
      ['序号', '姓名', '性别', '公民身份号码'],
      ['1', '王芳', '女', '410105199003071234'],
    );
    expect(findHeaderRow(sheet, score)).toBe(2);
  });

  it('returns -1 when nothing scores, and looks at 20 rows only', () => {
    expect(findHeaderRow(rows(['a'], ['b']), score)).toBe(-1);
    const deep = rows(...Array.from({ length: 25 }, (_, i) => (i === 22 ? ['姓名', '性别'] : ['x'])));
    expect(findHeaderRow(deep, score)).toBe(-1);
    expect(findHeaderRow(deep, score, { maxRows: 30 })).toBe(22);
  });

  it('passes cells as text, Dates and numbers included', () => {
    const seen: string[][] = [];
    findHeaderRow([{ rowNumber: 1, cells: [new Date(Date.UTC(2026, 9, 31)), 12, null, ' 姓名 '] }], (c) => {
      seen.push(c);
      return 0;
    });
    expect(seen).toEqual([['2026-10-31', '12', '', '姓名']]);
    expect(cellToText(true)).toBe('true');
  });
});

describe('isFooterRow', () => {
  it('recognises summary and signature rows', () => {
    for (const first of ['合计：312户 745人', '合 计', '合\u3000计:', '总计', '小计：3', '制表人：张三  审核人：李四', '审核人:李四', '填表人', '负责人：王五', '制表日期：2026-10-31', '备注：无', '打印日期 2026/10/31', '注：本表数据截至10月底']) {
      expect(isFooterRow([null, first, 'x']), first).toBe(true);
    }
  });

  it('leaves data rows alone', () => {
    expect(isFooterRow(['1', '王芳', '女'])).toBe(false);
    expect(isFooterRow([12, '合计'])).toBe(false);
    expect(isFooterRow(['注意事项'])).toBe(false);
    expect(isFooterRow([])).toBe(false);
  });
});

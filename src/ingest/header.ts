import type { CellValue, SheetRow } from './types.js';

/** Title rows sit above the header; it is never further down than this. */
export const HEADER_SCAN_ROWS = 20;

/**
 * Canonical form of a header cell for comparison: NFKC (full-width letters, digits, colons and
 * parentheses → half-width), no whitespace (spaces, line breaks inside a cell, U+3000), no `*`
 * (required-column marks), latin letters lower-cased. `月保障金额（元）` → `月保障金额(元)`,
 * `* 公民身份\n号码` → `公民身份号码`, `GMSFHM` → `gmsfhm`.
 */
export function normalizeHeader(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s*\u200b\ufeff]/g, '')
    .replace(/[（]/g, '(')
    .replace(/[）]/g, ')')
    .toLowerCase();
}

/** A cell as text, for header scoring. */
export function cellToText(cell: CellValue | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return Number.isFinite(cell.getTime()) ? cell.toISOString().slice(0, 10) : '';
  return String(cell).trim();
}

export interface FindHeaderOptions {
  /** Rows examined from the top (default 20). */
  maxRows?: number;
  /** A row must score strictly more than this (default 0). */
  minScore?: number;
}

/**
 * Index (in `rows`) of the header row: the best-scoring row among the first 20, title rows like
 * `金水区城市最低生活保障家庭成员花名册` or `制表单位：西湖社区居委会  制表日期：2026-10-31` above
 * it being passed over because they score low. `scoreRow` receives the row's cells as text
 * (trimmed, '' for empty; compare through normalizeHeader). The first row wins a tie.
 * -1 when no row scores above `minScore`.
 */
export function findHeaderRow(
  rows: readonly SheetRow[],
  scoreRow: (cells: string[]) => number,
  opts: FindHeaderOptions = {},
): number {
  const limit = Math.min(rows.length, opts.maxRows ?? HEADER_SCAN_ROWS);
  const minScore = opts.minScore ?? 0;
  let best = -1;
  let bestScore = minScore;
  for (let i = 0; i < limit; i++) {
    const score = scoreRow(rows[i]!.cells.map(cellToText));
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

/** First words of the summary and signature rows under a register's data. */
const FOOTER_PREFIXES = [
  '合计',
  '总计',
  '小计',
  '共计',
  '制表人',
  '审核人',
  '填表人',
  '填报人',
  '经办人',
  '负责人',
  '制表日期',
  '打印日期',
  '备注',
];
/** Words that only count as a footer when a colon follows (`注：本表…`, `说明：…`). */
const FOOTER_PREFIXES_WITH_COLON = ['注', '说明'];

/**
 * True for footer rows — `合计：312户 745人`, `制表人：张三  审核人：李四`, `备注：…` — to be
 * skipped, not rejected. Looks at the row's first non-empty cell, ignoring spaces inside it
 * (`合 计`, or 合, U+3000, 计) and full-width forms.
 */
export function isFooterRow(cells: readonly CellValue[]): boolean {
  const first = cells.find((c) => c !== null && c !== undefined && cellToText(c) !== '');
  if (typeof first !== 'string') return false;
  const text = first.normalize('NFKC').replace(/\s+/g, '');
  if (FOOTER_PREFIXES.some((p) => text.startsWith(p))) return true;
  return FOOTER_PREFIXES_WITH_COLON.some((p) => text.startsWith(`${p}:`));
}

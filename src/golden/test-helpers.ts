/**
 * Synthetic source records for the golden-record tests, built through the real adapters so the
 * normalised data has exactly the keys production records have. Synthetic names and ID numbers
 * only (check characters computed, never copied from a real person).
 */
import { adapters } from '../../adapters/index.js';
import type { CellValue } from '../ingest/types.js';
import { computeCheckChar } from '../normalize/index.js';
import type { GoldenInput, SourceName } from './types.js';

/** A valid 18-character number from its first 17 digits. */
export const id = (first17: string): string => first17 + computeCheckChar(first17);

/** Valid synthetic numbers: region 410105, sequence digits made up. */
export const ID_MAN = id('41010519900307123'); // 1990-03-07, male (3 odd)
export const ID_OTHER_MAN = id('41010519850412051'); // 1985-04-12, male
export const ID_WOMAN = id('41010519920815004'); // 1992-08-15, female (4 even)

export const ADDRESS = {
  home: '河南省郑州市金水区北大街道西湖社区纬五路12号院3号楼2单元401',
  newHome: '河南省郑州市金水区文化路街道东风社区东风路8号院1号楼1单元101',
  rented: '河南省郑州市金水区丰产路街道黄河社区黄河路20号院5号楼3单元602',
  olderRented: '河南省郑州市金水区丰产路街道黄河社区黄河路3号院2号楼1单元201',
  origin: '河南省周口市川汇区人和街道建设路100号',
};

export interface RecordOptions {
  id?: string;
  observedAt?: string;
  present?: boolean;
}

let counter = 0;

/** A source record as the adapter of `source` makes it from the given cells (keyed by field key). */
export function record(source: SourceName, cells: Record<string, CellValue>, options: RecordOptions = {}): GoldenInput {
  const observedAt = options.observedAt ?? '2026-06-30';
  const row = { rowNumber: 2, get: (key: string): CellValue | undefined => cells[key] };
  const result = adapters[source].toRecord(row, { exportDate: observedAt });
  if (!result.ok) throw new Error(`test record rejected: ${result.reasons.map((r) => r.message).join('; ')}`);
  counter += 1;
  return { recordId: options.id ?? `${source}-${counter}`, source, present: options.present ?? true, data: result.data, observedAt };
}

export const police = (cells: Record<string, CellValue>, options?: RecordOptions): GoldenInput =>
  record('police', { householdNumber: 'H0001', ...cells }, options);
export const familyPlanning = (cells: Record<string, CellValue>, options?: RecordOptions): GoldenInput =>
  record('family-planning', { caseNumber: 'C0001', ...cells }, options);
export const floating = (cells: Record<string, CellValue>, options?: RecordOptions): GoldenInput =>
  record('floating-population', { registrationNumber: 'R0001', ...cells }, options);
export const allowance = (cells: Record<string, CellValue>, options?: RecordOptions): GoldenInput =>
  record('minimum-allowance', { familyNumber: 'F0001', ...cells }, options);

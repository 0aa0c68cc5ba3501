/**
 * Helpers for the linkage tests: records built through the real adapters, ID numbers with a
 * real check character, and a generated district read through the real readers. Synthetic
 * people only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adapterFor, adapters, type SourceName } from '../../adapters/index.js';
import { generateDistrict } from '../../fixtures/generator/index.js';
import { openSourceFile } from '../ingest/source-file.js';
import type { CellValue } from '../ingest/types.js';
import { computeCheckChar } from '../normalize/index.js';
import type { ComparableRecord } from './compare.js';
import type { LinkInput } from './engine.js';
import { prepareRecord } from './prepare.js';

export const EXPORT_DATE = '2026-10-31';

export type Cells = Record<string, CellValue>;

/** The record's normalised data exactly as the source's adapter builds it on import. */
export function dataOf(source: SourceName, cells: Cells, exportDate = EXPORT_DATE): Record<string, unknown> {
  const result = adapters[source].toRecord({ rowNumber: 2, get: (key) => cells[key] }, { exportDate });
  if (!result.ok) throw new Error(`test record rejected: ${JSON.stringify(result.reasons)}`);
  return result.data;
}

export function rec(source: SourceName, cells: Cells, householdKey?: string | null): ComparableRecord {
  return prepareRecord(source, dataOf(source, cells), householdKey);
}

export function input(key: string, source: SourceName, cells: Cells): LinkInput {
  return { key, source, data: dataOf(source, cells) };
}

/** An 18-digit number: region, YYYYMMDD, 3-digit sequence (odd = male), check character. */
export function makeId(region: string, birth: string, seq: string): string {
  const body = `${region}${birth}${seq}`;
  return body + computeCheckChar(body);
}

export interface DistrictRecord extends LinkInput {
  person: string;
}

/** A generated district (fixture generator), read through the real readers and adapters. */
export async function readGeneratedDistrict(people: number, seed: number): Promise<DistrictRecord[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rh-linkage-test-'));
  try {
    const manifest = await generateDistrict({ people, seed, outDir: dir, format: 'csv' });
    const truth = new Map<string, string>();
    for (const line of fs.readFileSync(path.join(dir, 'truth.csv'), 'utf8').split('\n').slice(1)) {
      const [, file, row, person] = line.split(',');
      if (file && row && person) truth.set(`${file}:${row}`, person);
    }
    const out: DistrictRecord[] = [];
    for (const f of manifest.files) {
      const opened = await openSourceFile(path.join(dir, f.file), adapterFor(f.source));
      for await (const chunk of opened.chunks(manifest.exportDate)) {
        for (const row of chunk) {
          if (row.kind !== 'accepted') continue;
          out.push({
            key: `${f.source}:${row.result.naturalKey}:${f.file}:${row.rowNumber}`,
            source: f.source,
            data: row.result.data,
            person: truth.get(`${f.file}:${row.rowNumber}`) ?? '?',
          });
        }
      }
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

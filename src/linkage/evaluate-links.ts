/**
 * `resident-hub evaluate --truth FILE`: the stored links against a ground truth
 * (source,file,row,person_id — the fixture generator's truth.csv), pairwise.
 */
import fs from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError, ErrorCodes } from '../errors.js';
import { evaluateClustering, type Evaluation } from './evaluate.js';
import { linkRepository } from './link.repository.js';

export interface TruthEvaluation extends Evaluation {
  truthRows: number;
  /** Stored records the truth does not mention (left out of the figures). */
  recordsNotInTruth: number;
  /** Truth rows with no stored record (never imported, or rejected). */
  truthNotStored: number;
  /** Stored records not linked yet (each counted as a resident of its own). */
  unlinked: number;
}

const HEADER = ['source', 'file', 'row', 'person_id'];

export async function readTruth(file: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError(ErrorCodes.FILE_NOT_FOUND, `${file}: no such file`);
    throw err;
  }
  const rows = parse(text.replace(/^\ufeff/, ''), { relax_column_count: true, skip_empty_lines: true }) as string[][];
  const header = rows[0]?.map((h) => h.trim());
  if (!header || HEADER.some((h, i) => header[i] !== h)) {
    throw new AppError(ErrorCodes.TRUTH_FORMAT, `${file}: row 1: expected the header ${HEADER.join(',')}, found ${header?.join(',') ?? 'nothing'}`);
  }
  const truth = new Map<string, string>();
  for (let i = 1; i < rows.length; i++) {
    const [source, fileName, row, person] = rows[i] as string[];
    if (!source || !fileName || !row || !/^\d+$/.test(row) || !person) {
      throw new AppError(ErrorCodes.TRUTH_FORMAT, `${file}: row ${i + 1}: expected source, file, a row number and person_id`);
    }
    truth.set(`${source}\u0001${fileName}\u0001${Number(row)}`, person);
  }
  return truth;
}

export async function evaluateStoredLinks(db: Kysely<Database>, truthFile: string): Promise<TruthEvaluation> {
  const truth = await readTruth(truthFile);
  const predicted: string[] = [];
  const persons: string[] = [];
  let notInTruth = 0;
  let unlinked = 0;
  let stored = 0;
  for await (const page of linkRepository.linksForExport(db)) {
    for (const r of page) {
      stored++;
      const person = truth.get(`${r.source}\u0001${r.file_name}\u0001${r.row_number}`);
      if (person === undefined) {
        notInTruth++;
        continue;
      }
      if (r.resident_id === null) unlinked++;
      predicted.push(r.resident_id ?? `unlinked:${r.source}:${r.file_name}:${r.row_number}`);
      persons.push(person);
    }
  }
  if (stored === 0) throw new AppError(ErrorCodes.NOT_LINKED, 'nothing is imported yet: import the exports and link them first');
  const evaluation = evaluateClustering(predicted, persons);
  return { ...evaluation, truthRows: truth.size, recordsNotInTruth: notInTruth, truthNotStored: truth.size - predicted.length, unlinked };
}

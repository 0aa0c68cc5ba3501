// Shared by the spreadsheet worker threads (plain JavaScript: workers run without a TS loader).
// Protocol with src/ingest/worker-host.ts:
//   worker → main: {type:'sheet', name} once, then {type:'rows', rows:[{rowNumber, cells}]}…,
//                  then {type:'end'} or {type:'error', error:{code, message, details}}
//   main → worker: {type:'ack'} for each 'rows' message taken by the consumer (credit window).
// Only plain values cross the boundary: strings, numbers, booleans, Dates and null.
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

export const fileName = path.basename(String(workerData.filePath));

export class ReaderFailure extends Error {
  constructor(code, message, details = {}) {
    super(`${fileName}: ${message}`);
    this.code = code;
    this.details = { file: fileName, ...details };
  }
}

const DAY_MS = 86_400_000;
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);
/** 9999-12-31, the last day Excel shows. */
const MAX_SERIAL = 2_958_465;

/**
 * An Excel date serial → Date at UTC midnight of the day Excel shows (the time of day dropped).
 * Pure arithmetic, independent of the machine's time zone. In the 1900 system Excel counts a
 * fictitious 1900-02-29 (serial 60), so serials below 61 are one day later than the calendar.
 * A serial Excel cannot show as a date (negative, past 9999) stays a number.
 */
export function serialToDate(serial, date1904) {
  if (typeof serial !== 'number' || !Number.isFinite(serial)) return null;
  if (serial < 0 || serial >= MAX_SERIAL + 1) return serial;
  let day = Math.floor(Math.round(serial * DAY_MS) / DAY_MS);
  if (date1904) return new Date(EPOCH_1904 + day * DAY_MS);
  if (day < 61) day += 1;
  return new Date(EPOCH_1900 + day * DAY_MS);
}

/** Trimmed text, '' → null. */
export function text(value) {
  const trimmed = String(value).trim();
  return trimmed === '' ? null : trimmed;
}

/** Finite number or null. */
export function num(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Drops trailing empty cells; null when the whole row is empty. */
export function compactCells(cells) {
  let end = cells.length;
  while (end > 0 && (cells[end - 1] === null || cells[end - 1] === undefined)) end--;
  if (end === 0) return null;
  const out = new Array(end);
  for (let i = 0; i < end; i++) out[i] = cells[i] === undefined ? null : cells[i];
  return out;
}

/**
 * Collects rows into chunks and posts them, waiting for credits (acks) so that the worker
 * never runs more than `creditWindow` chunks ahead of the consumer.
 */
export function createRowSink() {
  const chunkRows = workerData.chunkRows ?? 1000;
  let credits = workerData.creditWindow ?? 4;
  let wake;
  parentPort.on('message', (message) => {
    if (message && message.type === 'ack') {
      credits++;
      const w = wake;
      wake = undefined;
      if (w) w();
    }
  });
  const post = async (message) => {
    while (credits <= 0) await new Promise((resolve) => (wake = resolve));
    credits--;
    parentPort.postMessage(message);
  };
  let batch = [];
  let announced = false;
  return {
    get announced() {
      return announced;
    },
    announce(sheetName) {
      if (!announced) parentPort.postMessage({ type: 'sheet', name: sheetName });
      announced = true;
    },
    async add(rowNumber, cells) {
      batch.push({ rowNumber, cells });
      if (batch.length >= chunkRows) {
        const rows = batch;
        batch = [];
        await post({ type: 'rows', rows });
      }
    },
    async flush() {
      if (batch.length) {
        const rows = batch;
        batch = [];
        await post({ type: 'rows', rows });
      }
    },
  };
}

/** Runs the worker's main function and reports its end or its failure. */
export function runWorker(main, classify) {
  main().then(
    () => parentPort.postMessage({ type: 'end' }),
    (err) => {
      const failure = err instanceof ReaderFailure ? err : classify(err);
      parentPort.postMessage({
        type: 'error',
        error: { code: failure.code, message: failure.message, details: plainDetails(failure.details) },
      });
    },
  );
}

function plainDetails(details) {
  const out = {};
  for (const [key, value] of Object.entries(details ?? {})) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[key] = value;
  }
  return out;
}

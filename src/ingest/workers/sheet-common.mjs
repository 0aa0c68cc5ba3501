// Shared by the spreadsheet worker threads (plain JavaScript: workers run without a TS loader).
// Protocol with src/ingest/worker-host.ts:
//   worker → main: {type:'sheet', name} once, then {type:'rows', rows:[{rowNumber, cells}]}…,
//                  then {type:'end'} or {type:'error', error:{code, message, details}}
//   main → worker: {type:'ack'} for each 'rows' message taken by the consumer (credit window);
//                  to a worker that serves files (serveFiles), {type:'next', params} once it
//                  has ended a file, for the next file of the same import (workerData's shape).
// Only plain values cross the boundary: strings, numbers, booleans, Dates and null.
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

/** The file being read: its workerData-shaped parameters and its name for messages. */
let current = workerData;
let fileName = path.basename(String(workerData.filePath));

export class ReaderFailure extends Error {
  constructor(code, message, details = {}) {
    super(`${fileName}: ${message}`);
    this.code = code;
    this.details = { file: fileName, ...details };
  }
}

/** Drops trailing empty cells; null when the whole row is empty. */
function compactCells(cells) {
  let end = cells.length;
  while (end > 0 && (cells[end - 1] === null || cells[end - 1] === undefined)) end--;
  if (end === 0) return null;
  const out = new Array(end);
  for (let i = 0; i < end; i++) out[i] = cells[i] === undefined ? null : cells[i];
  return out;
}

/** The sink of the file being read: acknowledgements are its credits. */
let activeSink;
let listening = false;

/**
 * Collects rows into chunks and posts them, waiting for credits (acks) so that the worker
 * never runs more than `creditWindow` chunks ahead of the consumer.
 */
export function createRowSink() {
  const chunkRows = current.chunkRows ?? 1000;
  const maxRows = current.maxRows;
  let credits = current.creditWindow ?? 4;
  let wake;
  if (!listening) {
    listening = true;
    // Acks that arrive once a file has ended (activeSink unset) belong to it and are dropped.
    parentPort.on('message', (message) => {
      if (message && message.type === 'ack') activeSink?.credit();
    });
  }
  const post = async (message) => {
    while (credits <= 0) await new Promise((resolve) => (wake = resolve));
    credits--;
    parentPort.postMessage(message);
  };
  let batch = [];
  let announced = false;
  const sink = {
    credit() {
      credits++;
      const w = wake;
      wake = undefined;
      if (w) w();
    },
    get announced() {
      return announced;
    },
    announce(sheetName) {
      if (!announced) parentPort.postMessage({ type: 'sheet', name: sheetName });
      announced = true;
    },
    /**
     * A sheet's row as read: left out when it has no value; past the file's row limit, the
     * sheet is refused; else announced (once) and added.
     */
    async addRow(sheetName, rowNumber, cells) {
      const compact = compactCells(cells);
      if (!compact) return;
      if (rowNumber > maxRows) {
        throw new ReaderFailure('RH_ERR_TOO_MANY_ROWS', `the sheet "${sheetName}" has more than ${maxRows.toLocaleString('en-US')} rows; split it into several files`, {
          sheet: sheetName,
          maxRows,
        });
      }
      sink.announce(sheetName);
      await sink.add(rowNumber, compact);
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
  activeSink = sink;
  return sink;
}

/** Runs the worker's main function over the file of workerData and reports its end or its failure. */
export function runWorker(main, classify) {
  readFile(main, classify, workerData);
}

/**
 * Like runWorker, then reads each further file the main thread sends ({type:'next'}), one at
 * a time, while it keeps the worker (worker-host.ts's SheetWorkerPool: the files of one
 * import, after a file that ended cleanly). Only for readers that keep nothing from one file
 * to the next: `main(params)` gets everything it needs in its parameters.
 */
export function serveFiles(main, classify) {
  parentPort.on('message', (message) => {
    if (message && message.type === 'next') readFile(main, classify, message.params);
  });
  readFile(main, classify, workerData);
}

function readFile(main, classify, params) {
  current = params;
  fileName = path.basename(String(params.filePath));
  activeSink = undefined;
  main(params).then(
    () => {
      activeSink = undefined;
      parentPort.postMessage({ type: 'end' });
    },
    (err) => {
      activeSink = undefined;
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

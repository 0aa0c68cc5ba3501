import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from './open.js';
import { CHUNK_ROWS, CREDIT_WINDOW, liveWorkerCount, startSheetWorker } from './worker-host.js';

const FLOOD = new URL('./workers/test-flood-worker.mjs', import.meta.url);

function flood(rows: number, limits: Partial<typeof DEFAULT_LIMITS> = {}) {
  const produced = new SharedArrayBuffer(4);
  const started = startSheetWorker({
    worker: { kind: 'file', url: FLOOD },
    filePath: '/tmp/flood.xlsx',
    limits: { ...DEFAULT_LIMITS, ...limits },
    data: { rows, produced },
  });
  return { started, produced: () => Atomics.load(new Int32Array(produced), 0) };
}

describe('startSheetWorker', () => {
  it('keeps the worker at most a few chunks ahead of a slow consumer (backpressure)', async () => {
    const { started, produced } = flood(100_000);
    const { sheetName, rows } = await started;
    expect(sheetName).toBe('flood');
    const first = await rows.next();
    expect(first.value).toHaveLength(CHUNK_ROWS);
    await sleep(300); // the consumer is busy
    expect(produced()).toBeLessThanOrEqual((CREDIT_WINDOW + 2) * CHUNK_ROWS + 1);
    let count = CHUNK_ROWS;
    let last = 0;
    for await (const chunk of rows) {
      count += chunk.length;
      last = chunk.at(-1)!.rowNumber;
    }
    expect(count).toBe(100_000);
    expect(last).toBe(100_000);
    expect(liveWorkerCount()).toBe(0);
  });

  it('does not count the time spent waiting for the consumer against parseTimeoutMs', async () => {
    const { started } = flood(8 * CHUNK_ROWS, { parseTimeoutMs: 2000 });
    const { rows } = await started;
    let chunks = 0;
    for await (const _ of rows) {
      chunks++;
      await sleep(300); // 8 × 300 ms > 2 s in total
    }
    expect(chunks).toBe(8);
  });

  it('abandons a worker whose consumer takes no rows for idleTimeoutMs, and never with 0', async () => {
    const idle = flood(50_000, { idleTimeoutMs: 200 });
    const { rows } = await idle.started;
    await sleep(600); // the consumer went away
    // The chunks sent before it was abandoned come first, then the failure.
    let taken = 0;
    let error: unknown;
    try {
      for await (const chunk of rows) taken += chunk.length;
    } catch (e) {
      error = e;
    }
    expect(taken).toBeLessThanOrEqual((CREDIT_WINDOW + 1) * CHUNK_ROWS);
    expect(error).toMatchObject({ code: 'RH_ERR_PARSE_TIMEOUT' });
    expect((error as Error).message).toContain('reading was abandoned');
    expect(liveWorkerCount()).toBe(0);

    const held = flood(5 * CHUNK_ROWS, { idleTimeoutMs: 0 });
    const kept = await held.started;
    await sleep(600); // the consumer is busy elsewhere (an import reading the file before)
    let count = 0;
    for await (const chunk of kept.rows) count += chunk.length;
    expect(count).toBe(5 * CHUNK_ROWS);
    expect(liveWorkerCount()).toBe(0);
  });

  it('stops the worker when the caller gives up without reading a row', async () => {
    const { started } = flood(50_000);
    const { rows } = await started;
    expect(liveWorkerCount()).toBe(1);
    await rows.return(undefined);
    expect(liveWorkerCount()).toBe(0);
  });
});

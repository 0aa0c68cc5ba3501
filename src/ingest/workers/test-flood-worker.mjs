// Test fixture for worker-host.test.ts: produces rows as fast as the credit window allows and
// counts them in a SharedArrayBuffer, so a test can see how far ahead of the consumer it got.
import { workerData } from 'node:worker_threads';
import { createRowSink, runWorker } from './sheet-common.mjs';

const { rows, produced } = workerData;
const counter = new Int32Array(produced);

runWorker(async () => {
  const sink = createRowSink();
  sink.announce('flood');
  for (let i = 1; i <= rows; i++) {
    Atomics.add(counter, 0, 1);
    await sink.add(i, [i, '王芳']);
  }
  await sink.flush();
}, (err) => err);

// Builds golden records for the main thread (see ../resident-builder.ts): each message is a
// chunk of residents, each answer their outcomes, in order.
import { parentPort } from 'node:worker_threads';
import { buildResident, type ResidentSnapshot } from '../resident-build.js';

export interface GoldenWorkerRequest {
  seq: number;
  snapshots: ResidentSnapshot[];
  withIdNumbers: boolean;
}

parentPort?.on('message', (request: GoldenWorkerRequest) => {
  try {
    parentPort!.postMessage({ seq: request.seq, outcomes: request.snapshots.map((s) => buildResident(s, request.withIdNumbers)) });
  } catch (error) {
    parentPort!.postMessage({ seq: request.seq, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});

// Builds golden records for the main thread (see ../resident-builder.ts): each message is a
// chunk of residents, each answer their outcomes, in order.
import { parentPort } from 'node:worker_threads';
import { buildResident, type ResidentOutcome, type ResidentSnapshot } from '../resident-build.js';

export interface GoldenWorkerRequest {
  snapshots: ResidentSnapshot[];
  withIdNumbers: boolean;
}

export type GoldenWorkerAnswer = { outcomes: ResidentOutcome[] } | { error: string };

parentPort?.on('message', (request: GoldenWorkerRequest) => {
  let answer: GoldenWorkerAnswer;
  try {
    answer = { outcomes: request.snapshots.map((s) => buildResident(s, request.withIdNumbers)) };
  } catch (error) {
    answer = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort!.postMessage(answer);
});

import type { DatabaseHandle } from '../db/database.js';
import { runLink, type LinkProgress, type LinkRunSummary } from '../linkage/link.service.js';

export const LINK_QUEUE = 'link';

export interface LinkJobData {
  full: boolean;
  keepModel?: boolean;
}

/** The link job's body: the same function in a worker process and in process. */
export function processLinkJob(
  store: DatabaseHandle,
  jobId: string,
  data: LinkJobData,
  reportProgress: (progress: LinkProgress) => void | Promise<void>,
): Promise<LinkRunSummary> {
  return runLink(store, { full: data.full, keepModel: data.keepModel, jobId, onProgress: reportProgress });
}

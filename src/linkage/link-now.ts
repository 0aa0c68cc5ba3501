import { createHash } from 'node:crypto';
import type { AppContext } from '../context.js';
import { linkRepository } from './link.repository.js';
import type { LinkProgress, LinkRunSummary } from './link.service.js';

/**
 * Links what is waiting (or everything again, `full`) as a job, and waits for it: what the
 * CLI and the API call. The job id is the state being linked, so two callers asking at once
 * join one run, and a retried job does the same work.
 */
export async function linkNow(ctx: Pick<AppContext, 'db' | 'jobs'>, options: { full?: boolean; keepModel?: boolean } = {}, onProgress?: (progress: LinkProgress) => void): Promise<LinkRunSummary> {
  const full = options.full ?? false;
  const state = await linkRepository.stateFingerprint(ctx.db);
  const jobId = `link-${full ? (options.keepModel ? 'full-same-model' : 'full') : 'incremental'}-${createHash('sha256').update(state).digest('hex').slice(0, 16)}`;
  return ctx.jobs.runLink(jobId, { full, keepModel: options.keepModel ?? false }, onProgress);
}

import { Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { DatabaseHandle } from '../db/database.js';
import type { Database, ImportBatch } from '../db/schema.js';
import { AppError, ErrorCodes, isAppError, reviveError } from '../errors.js';
import type { ImportProgress } from '../ingest/import.service.js';
import type { ReaderLimits } from '../ingest/types.js';
import type { LinkProgress, LinkRunSummary } from '../linkage/link.service.js';
import { IMPORT_QUEUE, processImportJob, type ImportJobData } from './import.job.js';
import { LINK_QUEUE, processLinkJob, type LinkJobData } from './link.job.js';

/**
 * Runs jobs: on BullMQ when Redis is configured (any `resident-hub worker` picks them up),
 * else in this process. Callers see one interface and the same job body either way.
 */
export interface JobRunner {
  readonly kind: 'bullmq' | 'in-process';
  /** Starts (or joins) the import job with this deterministic id and waits for it to finish. */
  runImport(jobId: string, data: ImportJobData, onProgress?: (progress: ImportProgress) => void): Promise<ImportBatch>;
  /** Starts (or joins) the link job with this deterministic id and waits for its summary. */
  runLink(jobId: string, data: LinkJobData, onProgress?: (progress: LinkProgress) => void): Promise<LinkRunSummary>;
  /** Whether the queue's store answers (always true in process). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export class InProcessRunner implements JobRunner {
  readonly kind = 'in-process' as const;
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly listeners = new Map<string, Set<(p: unknown) => void>>();

  constructor(
    private readonly store: DatabaseHandle,
    private readonly readerLimits?: Partial<ReaderLimits>,
  ) {}

  runImport(jobId: string, data: ImportJobData, onProgress?: (progress: ImportProgress) => void): Promise<ImportBatch> {
    return this.run(jobId, onProgress, (report) => processImportJob(this.store, data, report, this.readerLimits));
  }

  runLink(jobId: string, data: LinkJobData, onProgress?: (progress: LinkProgress) => void): Promise<LinkRunSummary> {
    return this.run(jobId, onProgress, (report) => processLinkJob(this.store, jobId, data, report));
  }

  /** One run per job id at a time, as BullMQ would guarantee; a second caller joins the first. */
  private run<T, P>(jobId: string, onProgress: ((progress: P) => void) | undefined, body: (report: (progress: P) => void) => Promise<T>): Promise<T> {
    const listeners = (this.listeners.get(jobId) ?? new Set()) as Set<(p: P) => void>;
    this.listeners.set(jobId, listeners as Set<(p: unknown) => void>);
    if (onProgress) listeners.add(onProgress);
    let job = this.running.get(jobId) as Promise<T> | undefined;
    if (!job) {
      job = body((p) => listeners.forEach((l) => l(p))).finally(() => {
        this.running.delete(jobId);
        this.listeners.delete(jobId);
      });
      this.running.set(jobId, job);
    }
    return job;
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.running.values());
  }
}

export interface BullOptions {
  redisUrl: string;
  prefix: string;
}

export function redisConnection(redisUrl: string): Redis {
  // BullMQ's blocking commands need maxRetriesPerRequest null.
  return new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
}

export class BullMqRunner implements JobRunner {
  readonly kind = 'bullmq' as const;
  private readonly connection: Redis;
  private readonly queue: Queue;
  private readonly linkQueue: Queue;
  private readonly events = new Map<string, QueueEvents>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: BullOptions,
  ) {
    this.connection = redisConnection(options.redisUrl);
    this.queue = new Queue(IMPORT_QUEUE, { connection: this.connection, prefix: options.prefix });
    this.linkQueue = new Queue(LINK_QUEUE, { connection: this.connection, prefix: options.prefix });
  }

  private async queueEvents(name: string): Promise<QueueEvents> {
    let events = this.events.get(name);
    if (!events) {
      events = new QueueEvents(name, { connection: redisConnection(this.options.redisUrl), prefix: this.options.prefix });
      this.events.set(name, events);
      await events.waitUntilReady();
    }
    return events;
  }

  async runImport(jobId: string, data: ImportJobData, onProgress?: (progress: ImportProgress) => void): Promise<ImportBatch> {
    await this.run(this.queue, 'import', jobId, data, onProgress);
    const { importRepository } = await import('../ingest/import.repository.js');
    const batch = await importRepository.getBatch(this.db, data.batchId);
    if (!batch) throw new AppError(ErrorCodes.BATCH_NOT_FOUND, `import batch ${data.batchId} not found`);
    return batch;
  }

  async runLink(jobId: string, data: LinkJobData, onProgress?: (progress: LinkProgress) => void): Promise<LinkRunSummary> {
    return (await this.run(this.linkQueue, 'link', jobId, data, onProgress)) as LinkRunSummary;
  }

  /** Adds (or joins) the job and waits for it; resolves with its return value. */
  private async run<P>(queue: Queue, name: string, jobId: string, data: object, onProgress?: (progress: P) => void): Promise<unknown> {
    const events = await this.queueEvents(queue.name);
    const progressListener = ({ jobId: id, data: progress }: { jobId: string; data: unknown }) => {
      if (id === jobId && onProgress && progress && typeof progress === 'object') onProgress(progress as P);
    };
    events.on('progress', progressListener);
    try {
      let job = await Job.fromId(queue, jobId);
      if (job) {
        const state = await job.getState();
        // A failed job retried (e.g. after a transient fault); a completed job whose work was
        // reset (an import staged again after a failure) runs again under the same id.
        if (state === 'failed') await job.retry('failed');
        else if (state === 'completed') {
          await job.remove();
          job = undefined;
        }
      }
      if (!job) {
        job = await queue.add(name, data, {
          jobId,
          attempts: 3,
          backoff: { type: 'exponential', delay: 2000 },
          removeOnComplete: { age: 7 * 24 * 3600 },
          removeOnFail: { age: 30 * 24 * 3600 },
        });
      }
      try {
        return await job.waitUntilFinished(events);
      } catch (err) {
        throw reviveJobError(err, name);
      }
    } finally {
      events.off('progress', progressListener);
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.connection.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    for (const events of this.events.values()) await events.close();
    await this.queue.close();
    await this.linkQueue.close();
    this.connection.disconnect();
  }
}

/** Failure reasons come back from Redis as text: `RH_ERR_…: message` keeps the code. */
function reviveJobError(err: unknown, name: string): Error {
  const message = err instanceof Error ? err.message : String(err);
  const match = /^(RH_ERR_[A-Z_]+): ([\s\S]*)$/.exec(message);
  if (match?.[1] && match[2] !== undefined) return reviveError({ code: match[1], message: match[2] });
  return new AppError(ErrorCodes.JOB_FAILED, `${name} job failed: ${message}`);
}

export interface WorkerOptions extends BullOptions {
  concurrency?: number;
  /** How long a job's lock lasts without renewal; a killed worker's job is taken over after it. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  readerLimits?: Partial<ReaderLimits>;
}

/**
 * A BullMQ worker running `body` for each job of `queue`. An AppError (a file that cannot be
 * read, bad input) will not go away by retrying: it fails the job for good.
 */
function startWorker<T>(
  queue: string,
  body: (job: Job<T>) => Promise<unknown>,
  options: WorkerOptions,
  settings: { concurrency: number; lockDurationMs: number },
): Worker<T> {
  return new Worker<T>(
    queue,
    async (job) => {
      try {
        return await body(job);
      } catch (err) {
        if (isAppError(err)) throw new UnrecoverableError(`${err.code}: ${err.message}`);
        throw err;
      }
    },
    {
      connection: redisConnection(options.redisUrl),
      prefix: options.prefix,
      concurrency: settings.concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 3,
    },
  );
}

/** A BullMQ worker processing import jobs; `resident-hub worker` runs one. */
export function startImportWorker(store: DatabaseHandle, options: WorkerOptions): Worker<ImportJobData> {
  return startWorker<ImportJobData>(
    IMPORT_QUEUE,
    async (job) => {
      const batch = await processImportJob(store, job.data, (progress) => job.updateProgress(progress as unknown as object), options.readerLimits);
      return { batchId: batch.id, status: batch.status };
    },
    options,
    { concurrency: options.concurrency ?? 1, lockDurationMs: options.lockDurationMs ?? 30_000 },
  );
}

/** A BullMQ worker processing link jobs (one at a time: the linker holds one lock anyway). */
export function startLinkWorker(store: DatabaseHandle, options: WorkerOptions): Worker<LinkJobData> {
  return startWorker<LinkJobData>(
    LINK_QUEUE,
    (job) => processLinkJob(store, job.id ?? `link-${Date.now()}`, job.data, (progress) => job.updateProgress(progress as unknown as object)),
    options,
    // Clustering a whole district keeps the event loop busy for seconds at a time, so the
    // lock is not renewed meanwhile: a long lock keeps a second worker from taking it over.
    { concurrency: 1, lockDurationMs: options.lockDurationMs ?? 120_000 },
  );
}

import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SourceName } from '../../adapters/types.js';
import type { AppContext } from '../context.js';
import type { ImportBatch } from '../db/schema.js';
import { AppError, ErrorCodes } from '../errors.js';
import { linkNow } from '../linkage/link-now.js';
import { stageImport, type ImportProgress, type StagedImport } from './import.service.js';

/** An uploaded file kept where import jobs (in this process or a worker sharing DATA_DIR) read it. */
export interface StoredUpload {
  name: string;
  path: string;
  sha256: string;
  size: number;
}

/** A folder for one request's uploads, under DATA_DIR/uploads. */
export async function uploadSession(dataDir: string): Promise<{ dir: string; discard(): Promise<void> }> {
  const dir = path.join(dataDir, 'uploads', `incoming-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`);
  await fs.mkdir(dir, { recursive: true });
  return { dir, discard: () => fs.rm(dir, { recursive: true, force: true }) };
}

/**
 * Writes an uploaded stream into the session folder under its base name (never a client path),
 * hashing it on the way. `isTruncated` tells whether the size limit cut it: then 413.
 */
export async function saveUpload(dir: string, fileName: string, stream: Readable, isTruncated: () => boolean): Promise<StoredUpload> {
  const name = safeBaseName(fileName);
  const target = path.join(dir, name);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(stream, tap, createWriteStream(target, { flags: 'wx' }));
  if (isTruncated()) throw new AppError(ErrorCodes.PAYLOAD_TOO_LARGE, `${name}: the upload is larger than the limit; split the export or import it with the command line`);
  return { name, path: target, sha256: hash.digest('hex'), size };
}

function safeBaseName(fileName: string): string {
  // Browsers send a base name, but a client may send a path: keep its last part only.
  const base = [...(fileName.split(/[\\/]/).pop() ?? '')].filter((c) => c.charCodeAt(0) >= 0x20).join('').trim();
  if (base === '' || base === '.' || base === '..') throw new AppError(ErrorCodes.VALIDATION, 'an uploaded file has no usable name');
  return base;
}

/**
 * Moves a session's files to DATA_DIR/uploads/<sha256>/<name> (content-addressed: the same
 * export uploaded twice is one file, and a re-import is recognised as such).
 */
export async function keepUploads(dataDir: string, uploads: StoredUpload[]): Promise<StoredUpload[]> {
  const kept: StoredUpload[] = [];
  for (const u of uploads) {
    const dir = path.join(dataDir, 'uploads', u.sha256);
    await fs.mkdir(dir, { recursive: true });
    const target = path.join(dir, u.name);
    await fs.rename(u.path, target).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST' && err.code !== 'ENOTEMPTY') throw err;
    });
    kept.push({ ...u, path: target });
  }
  return kept;
}

/**
 * Stages an import of stored files and starts its job without waiting (the client polls
 * GET /v1/imports/{id}); when the import completes, what it queued is linked.
 */
export interface ImportJobHooks {
  onProgress?(progress: ImportProgress): void;
  /** The import completed; its records are being linked. */
  onLinking?(batch: ImportBatch): void;
  onSettled?(outcome: { batchId: string; batch?: ImportBatch; error?: unknown }): void;
}

export async function startImport(ctx: AppContext, source: SourceName, paths: string[], requestedBy: string, hooks: ImportJobHooks = {}): Promise<StagedImport> {
  const staged = await stageImport(ctx.db, source, paths, { requestedBy });
  if (staged.noOp || !staged.batch) return staged;
  const batchId = staged.batch.id;
  void ctx.jobs
    .runImport(staged.jobId, { batchId }, (p) => hooks.onProgress?.(p))
    .then(async (batch) => {
      if (batch.status === 'completed') {
        hooks.onLinking?.(batch);
        await linkNow(ctx);
      }
      hooks.onSettled?.({ batchId, batch });
    })
    .catch((error: unknown) => hooks.onSettled?.({ batchId, error }));
  return staged;
}

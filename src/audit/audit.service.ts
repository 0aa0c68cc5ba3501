import type { Kysely } from 'kysely';
import type { Database, Executor } from '../db/schema.js';
import { auditRepository, type AuditQuery } from './audit.repository.js';
import { appendEntry, ChainVerifier, type AuditEntry, type ChainVerification, type StoredAuditEntry } from './chain.js';

/** What is audited: who, what, on which object, with which outcome. `at` is set when written. */
export type AuditEvent = Omit<AuditEntry, 'seq' | 'at'>;

/**
 * Appends to the chain inside the caller's transaction (for decisions, merges and key changes,
 * which must be audited exactly when they commit). The caller's transaction holds the audit
 * lock until it ends.
 */
export async function auditInTransaction(trx: Executor, events: readonly AuditEvent[]): Promise<StoredAuditEntry[]> {
  if (events.length === 0) return [];
  await auditRepository.lock(trx);
  let head = await auditRepository.head(trx);
  const at = new Date().toISOString();
  const rows: StoredAuditEntry[] = [];
  for (const event of events) {
    const row = appendEntry(head, { ...event, at });
    rows.push(row);
    head = { seq: row.seq, hash: row.hash };
  }
  await auditRepository.append(trx, rows);
  return rows;
}

interface Pending {
  event: AuditEvent;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for audit rows written by reads: every request waits until its row is stored,
 * but the rows of requests arriving together share one transaction (one lock, one insert),
 * so that the chain's single writer does not cap the lookups per second.
 */
export class AuditWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly db: Kysely<Database>) {}

  write(event: AuditEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  /** Resolves once everything queued so far is stored. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 1000);
        try {
          await this.db.transaction().execute(async (trx) => {
            // The read is answered once its row is in the database, without waiting for the WAL
            // flush: a server crash can lose the last fraction of a second of read entries (never
            // leaving a gap: the database comes back at a consistent prefix of the chain), and the
            // chain's single writer is no longer held for a disk flush per batch. Decisions and
            // other writes are audited in their own transaction, flushed as usual.
            await auditRepository.relaxCommit(trx);
            await auditInTransaction(trx, batch.map((p) => p.event));
          });
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.flushing = null;
    }
  }
}

export function listAudit(db: Executor, query: AuditQuery): Promise<StoredAuditEntry[]> {
  return auditRepository.list(db, query);
}

/** Verifies the whole chain against the head recorded beside it. */
export async function verifyAudit(db: Kysely<Database>, onProgress?: (verified: number) => void): Promise<ChainVerification & { recordedHead: { seq: number; hash: string } | null }> {
  const recordedHead = await auditRepository.head(db);
  const verifier = new ChainVerifier(recordedHead ? { expectedHead: recordedHead } : {});
  let count = 0;
  for await (const page of auditRepository.pages(db)) {
    for (const row of page) {
      if (verifier.push(row)) return { ...verifier.finish(), recordedHead };
      count++;
    }
    onProgress?.(count);
  }
  return { ...verifier.finish(), recordedHead };
}

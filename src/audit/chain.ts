/**
 * The audit trail as a hash chain: each row's hash covers the previous row's hash and the row's
 * canonical JSON, so editing a row, deleting one, or moving one breaks the chain from there on.
 * The database only stops the application from changing rows; the chain lets
 * `resident-hub audit verify` show that nobody else did. Pure: no I/O, no clock.
 */
import { createHash } from 'node:crypto';
import { AppError, ErrorCodes } from '../errors.js';

/** An audit entry that has no canonical form. */
export const AUDIT_ENTRY_INVALID = ErrorCodes.AUDIT_ENTRY_INVALID;

/** The previous hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditActor {
  /** The API key's id (or public prefix); null for the command line. */
  keyId: string | null;
  /** The key's name, or the operating-system user of a CLI run. */
  name: string;
  /** A role (src/access/roles.ts), or `system` for the command line and jobs. */
  role: string;
}

export type AuditOutcome = 'success' | 'denied' | 'error';

export interface AuditEntry {
  /** 1, 2, 3… without gaps: a missing number is a deleted row. */
  seq: number;
  /** When, as `YYYY-MM-DDTHH:mm:ss.sssZ` (or a Date, written that way). */
  at: string | Date;
  actor: AuditActor;
  /** An action of roles.ts, or another verb such as `keys:create`, `keys:revoke`, `merge:undo`. */
  action: string;
  target: { type: string; id: string | null };
  outcome: AuditOutcome;
  /** JSON only: plain objects, arrays, strings, finite numbers, booleans, null (Dates as ISO text). */
  details: Record<string, unknown>;
}

export interface StoredAuditEntry extends AuditEntry {
  /** The hash of the row before (GENESIS_HASH for the first). */
  prevHash: string;
  hash: string;
}

function invalid(message: string): AppError {
  return new AppError(ErrorCodes.AUDIT_ENTRY_INVALID, message);
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function canonicalInstant(at: string | Date): string {
  if (at instanceof Date) {
    if (!Number.isFinite(at.getTime())) throw invalid('audit entry: invalid date in "at"');
    return at.toISOString();
  }
  // Only the one textual form: '2026-11-26 10:00' would be read in the local time zone.
  if (typeof at !== 'string' || !ISO_INSTANT.test(at) || !Number.isFinite(Date.parse(at))) {
    throw invalid(`audit entry: "at" must be an ISO instant like 2026-11-26T10:00:00.000Z, got ${JSON.stringify(at)}`);
  }
  return at;
}

/**
 * JSON with object keys sorted and no whitespace. What is hashed must be what comes back from
 * storage, so only values that survive a JSON round trip unchanged are accepted (Dates become
 * their ISO text, as JSON.stringify makes them); anything JSON would drop or alter silently
 * (NaN, Infinity, bigint, functions, Maps, class instances) is an error rather than a hash that
 * can never be verified. Properties that are undefined are left out, as JSON leaves them out.
 */
export function canonicalJson(value: unknown): string {
  return canonical(value, '$');
}

function canonical(value: unknown, path: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`audit entry: ${path} is not a finite number`);
    return JSON.stringify(value);
  }
  if (value instanceof Date) return JSON.stringify(canonicalInstant(value));
  if (Array.isArray(value)) {
    return `[${value.map((item, i) => (item === undefined ? 'null' : canonical(item, `${path}[${i}]`))).join(',')}]`;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) throw invalid(`audit entry: ${path} is not a plain object`);
    const object = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(object).sort()) {
      const item = object[key];
      if (item !== undefined) parts.push(`${JSON.stringify(key)}:${canonical(item, `${path}.${key}`)}`);
    }
    return `{${parts.join(',')}}`;
  }
  throw invalid(`audit entry: ${path} is a ${typeof value}, not JSON`);
}

/** The canonical text of an entry: its own fields only (not hashes or a database id). */
export function canonicalEntry(entry: AuditEntry): string {
  if (!Number.isSafeInteger(entry.seq) || entry.seq < 1) throw invalid(`audit entry: seq must be a positive integer, got ${String(entry.seq)}`);
  return canonicalJson({
    seq: entry.seq,
    at: canonicalInstant(entry.at),
    actor: { keyId: entry.actor.keyId, name: entry.actor.name, role: entry.actor.role },
    action: entry.action,
    target: { type: entry.target.type, id: entry.target.id },
    outcome: entry.outcome,
    details: entry.details,
  });
}

/** sha256 hex of the previous row's hash followed by the entry's canonical JSON. */
export function entryHash(prevHash: string, entry: AuditEntry): string {
  // prevHash has a fixed length, so plain concatenation is unambiguous.
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalEntry(entry), 'utf8').digest('hex');
}

/** The chain's last row, or null when it is empty. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * The row to store after `head`: the next seq, both hashes. Rows must be appended one at a time
 * (the caller serialises appends, e.g. a lock on the head row), or two would claim one seq.
 */
export function appendEntry(head: ChainHead | null, entry: Omit<AuditEntry, 'seq'>): StoredAuditEntry {
  const prevHash = head?.hash ?? GENESIS_HASH;
  const full: AuditEntry = { ...entry, seq: (head?.seq ?? 0) + 1 };
  return { ...full, prevHash, hash: entryHash(prevHash, full) };
}

export type ChainBreakReason =
  /** The row's content does not give its stored hash: a field was edited. */
  | 'edited'
  /** seq jumps: the rows in between were deleted (or, at the start, the first rows). */
  | 'gap'
  /** seq does not increase: rows reordered or duplicated. */
  | 'out_of_order'
  /** The row's prevHash is not the previous row's hash: a row was removed and the rest renumbered, rows swapped, or the previous row rewritten with a new hash. */
  | 'broken_link'
  /** The chain ends before the expected head: its last rows were deleted. */
  | 'truncated'
  /** The row at the expected head's seq has another hash: the chain was recomputed after rows were changed. */
  | 'rewritten'
  /** The row cannot be read as an entry (bad seq, date, hash or details). */
  | 'invalid';

export interface ChainBreak {
  /** The first row that does not verify (for 'truncated': the first missing seq). */
  seq: number;
  reason: ChainBreakReason;
  message: string;
}

export type ChainVerification =
  | { ok: true; verified: number; head: ChainHead | null }
  | { ok: false; verified: number; break: ChainBreak };

export interface VerifyOptions {
  /**
   * Where the rows start, to verify a later part of the chain: the row before them (its seq
   * and hash). Default: the beginning (seq 0, GENESIS_HASH).
   */
  after?: ChainHead;
  /**
   * A head recorded elsewhere earlier (a log line, a copy sent to the auditors); the chain may
   * have grown since. Without one, deleting the last rows leaves a shorter chain that is still
   * valid, and so does rewriting every row from an edit on with new hashes.
   */
  expectedHead?: ChainHead;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks rows one at a time, in the order they are read (e.g. `order by seq`, in pages); for
 * `audit verify` over a table too big to hold. `push` returns the first break, then keeps
 * returning it.
 */
export class ChainVerifier {
  private seq: number;
  private hash: string;
  private count = 0;
  private broken: ChainBreak | undefined;
  private readonly expectedHead: ChainHead | undefined;

  constructor(options: VerifyOptions = {}) {
    this.seq = options.after?.seq ?? 0;
    this.hash = options.after?.hash ?? GENESIS_HASH;
    this.expectedHead = options.expectedHead;
  }

  push(row: StoredAuditEntry): ChainBreak | undefined {
    if (this.broken) return this.broken;
    const found = this.check(row);
    if (found) {
      this.broken = found;
      return found;
    }
    this.seq = row.seq;
    this.hash = row.hash;
    this.count++;
    return undefined;
  }

  /** The result once every row was pushed. */
  finish(): ChainVerification {
    if (this.broken) return { ok: false, verified: this.count, break: this.broken };
    const expected = this.expectedHead;
    if (expected && expected.seq > this.seq) {
      const seq = this.seq + 1;
      const message = `the chain ends at seq ${this.seq} but seq ${expected.seq} was recorded: rows from seq ${seq} on were deleted`;
      return { ok: false, verified: this.count, break: { seq, reason: 'truncated', message } };
    }
    return { ok: true, verified: this.count, head: this.count === 0 && this.seq === 0 ? null : { seq: this.seq, hash: this.hash } };
  }

  private check(row: StoredAuditEntry): ChainBreak | undefined {
    const seq = row.seq;
    if (!Number.isSafeInteger(seq) || seq < 1) {
      return { seq: this.seq + 1, reason: 'invalid', message: `the row after seq ${this.seq} has an invalid seq ${String(seq)}` };
    }
    if (seq <= this.seq) {
      return { seq, reason: 'out_of_order', message: `seq ${seq} comes after seq ${this.seq}: rows reordered or duplicated` };
    }
    if (seq !== this.seq + 1) {
      const missing = seq === this.seq + 2 ? `seq ${this.seq + 1} is` : `seqs ${this.seq + 1}–${seq - 1} are`;
      return { seq, reason: 'gap', message: `${missing} missing before seq ${seq}: deleted` };
    }
    if (typeof row.hash !== 'string' || !HEX64.test(row.hash) || typeof row.prevHash !== 'string' || !HEX64.test(row.prevHash)) {
      return { seq, reason: 'invalid', message: `seq ${seq}: the stored hashes are not 64 hex digits` };
    }
    if (row.prevHash !== this.hash) {
      return {
        seq,
        reason: 'broken_link',
        message: `seq ${seq} does not follow the row before it (its prevHash is not that row's hash): rows removed, moved or rewritten`,
      };
    }
    let computed: string;
    try {
      computed = entryHash(row.prevHash, row);
    } catch (err) {
      return { seq, reason: 'invalid', message: `seq ${seq}: ${(err as Error).message}` };
    }
    if (computed !== row.hash) {
      return { seq, reason: 'edited', message: `seq ${seq} was changed after it was written (its content does not give its hash)` };
    }
    const expected = this.expectedHead;
    if (expected && expected.seq === seq && expected.hash !== row.hash) {
      return {
        seq,
        reason: 'rewritten',
        message: `seq ${seq} has another hash than was recorded: the chain was recomputed after rows up to seq ${seq} were changed`,
      };
    }
    return undefined;
  }
}

/** Verifies rows in the order given; the first break and why, or the head reached. */
export function verifyChain(rows: Iterable<StoredAuditEntry>, options: VerifyOptions = {}): ChainVerification {
  const verifier = new ChainVerifier(options);
  for (const row of rows) if (verifier.push(row)) break;
  return verifier.finish();
}

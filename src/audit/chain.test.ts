import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import {
  AUDIT_ENTRY_INVALID,
  ChainVerifier,
  GENESIS_HASH,
  appendEntry,
  canonicalEntry,
  canonicalJson,
  entryHash,
  verifyChain,
  type AuditEntry,
  type StoredAuditEntry,
} from './chain.js';

const auditor = { keyId: 'rhk_AbCd1234', name: '审计科 张敏', role: 'auditor' };
const police = { keyId: 'rhk_Zz9_-x01', name: '北大街派出所', role: 'police' };

type NewEntry = Omit<AuditEntry, 'seq'>;

const entries: NewEntry[] = [
  { at: '2026-11-26T08:00:00.000Z', actor: police, action: 'residents:search', target: { type: 'resident', id: null }, outcome: 'success', details: { query: { name: '王芳' }, results: 3 } },
  { at: '2026-11-26T08:00:05.120Z', actor: police, action: 'residents:read', target: { type: 'resident', id: '1024' }, outcome: 'success', details: {} },
  { at: '2026-11-26T09:15:00.000Z', actor: auditor, action: 'residents:merge', target: { type: 'resident', id: '1024' }, outcome: 'success', details: { survivor: '1024', merged: ['2048'], reason: '同一人' } },
  { at: '2026-11-26T09:16:00.000Z', actor: police, action: 'review:decide', target: { type: 'review', id: '7' }, outcome: 'denied', details: { status: 403 } },
  { at: new Date('2026-11-26T10:00:00.000Z'), actor: { keyId: null, name: 'ops', role: 'system' }, action: 'keys:create', target: { type: 'key', id: 'rhk_Qq00aaBB' }, outcome: 'success', details: { role: 'community', name: '西湖社区' } },
];

function buildChain(items: NewEntry[] = entries): StoredAuditEntry[] {
  const rows: StoredAuditEntry[] = [];
  for (const item of items) {
    const last = rows.at(-1);
    rows.push(appendEntry(last ? { seq: last.seq, hash: last.hash } : null, item));
  }
  return rows;
}

/** The rows as they come back from storage: JSON round trip, keys in another order. */
function roundTrip(rows: StoredAuditEntry[]): StoredAuditEntry[] {
  return rows.map((row) => {
    const copy = JSON.parse(JSON.stringify(row)) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(copy).reverse()) as unknown as StoredAuditEntry;
  });
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: true, e: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"e":null,"f":true}]},"b":1}');
  });

  it('gives the same text after a JSON round trip', () => {
    const value = { 姓名: '王芳', n: 1.5, big: 1e21, neg: -0, list: [undefined, 'a'], gone: undefined, at: new Date('2026-11-26T08:00:00.000Z'), quote: '"\\\n' };
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
  });

  it.each([
    ['NaN', { n: Number.NaN }],
    ['Infinity', { n: Number.POSITIVE_INFINITY }],
    ['bigint', { n: 10n }],
    ['a function', { f: () => 1 }],
    ['a Map', { m: new Map([['a', 1]]) }],
    ['a class instance', { u: new URL('http://example.test/') }],
    ['an invalid Date', { d: new Date('nope') }],
  ])('refuses %s with RH_ERR_AUDIT_ENTRY_INVALID', (_what, value) => {
    try {
      canonicalJson(value);
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err) && err.code).toBe(AUDIT_ENTRY_INVALID);
    }
  });
});

describe('canonicalEntry and entryHash', () => {
  const entry: AuditEntry = { seq: 1, ...entries[0]! };

  it('serialises only the entry fields, keys sorted', () => {
    const text = canonicalEntry({ ...entry, ...{ hash: 'ignored', id: 99 } } as AuditEntry);
    expect(text).toBe(
      '{"action":"residents:search","actor":{"keyId":"rhk_Zz9_-x01","name":"北大街派出所","role":"police"},"at":"2026-11-26T08:00:00.000Z",' +
        '"details":{"query":{"name":"王芳"},"results":3},"outcome":"success","seq":1,"target":{"id":null,"type":"resident"}}',
    );
  });

  it('is sha256 hex of the previous hash and the canonical JSON', () => {
    const expected = createHash('sha256').update(GENESIS_HASH + canonicalEntry(entry)).digest('hex');
    expect(entryHash(GENESIS_HASH, entry)).toBe(expected);
    expect(entryHash('f'.repeat(64), entry)).not.toBe(expected);
  });

  it('writes a Date and its ISO text the same way', () => {
    const at = '2026-11-26T10:00:00.000Z';
    expect(entryHash(GENESIS_HASH, { ...entry, at })).toBe(entryHash(GENESIS_HASH, { ...entry, at: new Date(at) }));
  });

  it.each([
    ['a time without zone', { at: '2026-11-26T10:00:00' }],
    ['a time without milliseconds', { at: '2026-11-26T10:00:00Z' }],
    ['a date only', { at: '2026-11-26' }],
    ['seq 0', { seq: 0 }],
    ['a fractional seq', { seq: 1.5 }],
  ])('refuses %s', (_what, change) => {
    expect(() => canonicalEntry({ ...entry, ...change })).toThrow(/audit entry/);
  });
});

describe('appendEntry', () => {
  it('numbers from 1 and links each row to the one before', () => {
    const rows = buildChain();
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]?.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prevHash).toBe(rows[i - 1]?.hash);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(5);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain, also after a storage round trip', () => {
    const rows = buildChain();
    const head = { seq: 5, hash: rows[4]!.hash };
    expect(verifyChain(rows)).toEqual({ ok: true, verified: 5, head });
    expect(verifyChain(roundTrip(rows))).toEqual({ ok: true, verified: 5, head });
    expect(verifyChain([])).toEqual({ ok: true, verified: 0, head: null });
  });

  it.each([
    ['the action', (r: StoredAuditEntry) => ({ ...r, action: 'residents:search' })],
    ['the outcome', (r: StoredAuditEntry) => ({ ...r, outcome: 'success' as const })],
    ['the time', (r: StoredAuditEntry) => ({ ...r, at: '2026-11-26T09:16:00.001Z' })],
    ['the actor', (r: StoredAuditEntry) => ({ ...r, actor: { ...r.actor, role: 'auditor' } })],
    ['the target', (r: StoredAuditEntry) => ({ ...r, target: { ...r.target, id: '8' } })],
    ['a detail', (r: StoredAuditEntry) => ({ ...r, details: { status: 200 } })],
    ['a detail added', (r: StoredAuditEntry) => ({ ...r, details: { ...r.details, note: 'ok' } })],
  ])('finds an edited row: %s', (_what, edit) => {
    const rows = buildChain();
    rows[3] = edit(rows[3]!);
    const result = verifyChain(rows);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.break).toMatchObject({ seq: 4, reason: 'edited' });
    expect(result.verified).toBe(3);
  });

  it('finds an edited row whose hash was recomputed: the next row no longer follows', () => {
    const rows = buildChain();
    const edited: AuditEntry = { ...rows[1]!, details: { note: 'never happened' } };
    rows[1] = { ...edited, prevHash: rows[1]!.prevHash, hash: entryHash(rows[1]!.prevHash, edited) };
    const result = verifyChain(rows);
    expect(!result.ok && result.break).toMatchObject({ seq: 3, reason: 'broken_link' });
  });

  it('finds a deleted row as a gap in seq', () => {
    const rows = buildChain();
    rows.splice(2, 1);
    const result = verifyChain(rows);
    expect(!result.ok && result.break).toMatchObject({ seq: 4, reason: 'gap', message: 'seq 3 is missing before seq 4: deleted' });
  });

  it('finds deleted first rows', () => {
    const result = verifyChain(buildChain().slice(2));
    expect(!result.ok && result.break).toMatchObject({ seq: 3, reason: 'gap', message: 'seqs 1–2 are missing before seq 3: deleted' });
  });

  it('finds a deleted row when the rest were renumbered', () => {
    const rows = buildChain();
    rows.splice(2, 1);
    for (let i = 2; i < rows.length; i++) {
      const row = { ...rows[i]!, seq: i + 1 };
      rows[i] = { ...row, hash: entryHash(row.prevHash, row) };
    }
    const result = verifyChain(rows);
    expect(!result.ok && result.break).toMatchObject({ seq: 3, reason: 'broken_link' });
  });

  it('finds swapped rows read in stored order', () => {
    const rows = buildChain();
    [rows[1], rows[2]] = [rows[2]!, rows[1]!];
    const result = verifyChain(rows);
    // Row 3 comes first: seq 2 is missing before it.
    expect(!result.ok && result.break).toMatchObject({ seq: 3, reason: 'gap' });
  });

  it('finds rows whose seqs were swapped (read ordered by seq)', () => {
    const rows = buildChain();
    const a = { ...rows[1]!, seq: 3 };
    const b = { ...rows[2]!, seq: 2 };
    rows[1] = b;
    rows[2] = a;
    const result = verifyChain(rows);
    expect(!result.ok && result.break).toMatchObject({ seq: 2, reason: 'broken_link' });
  });

  it('finds rows out of order and duplicated rows', () => {
    const rows = buildChain();
    const outOfOrder = verifyChain([rows[0]!, rows[1]!, rows[2]!, rows[1]!]);
    expect(!outOfOrder.ok && outOfOrder.break).toMatchObject({ seq: 2, reason: 'out_of_order', message: 'seq 2 comes after seq 3: rows reordered or duplicated' });
    const duplicate = verifyChain([rows[0]!, rows[1]!, rows[1]!]);
    expect(!duplicate.ok && duplicate.break).toMatchObject({ seq: 2, reason: 'out_of_order' });
  });

  it('finds malformed rows', () => {
    const rows = buildChain();
    expect(verifyChain([{ ...rows[0]!, hash: 'abc' }])).toMatchObject({ ok: false, break: { seq: 1, reason: 'invalid' } });
    expect(verifyChain([{ ...rows[0]!, seq: Number.NaN }])).toMatchObject({ ok: false, break: { seq: 1, reason: 'invalid' } });
    expect(verifyChain([{ ...rows[0]!, at: 'yesterday' }])).toMatchObject({ ok: false, break: { seq: 1, reason: 'invalid' } });
  });

  it('with a recorded head: finds deleted last rows, and a chain rewritten from an edit on', () => {
    const rows = buildChain();
    const recorded = { seq: 4, hash: rows[3]!.hash };
    // The chain grew since the head was recorded: fine.
    expect(verifyChain(rows, { expectedHead: recorded })).toMatchObject({ ok: true, verified: 5 });
    const truncated = verifyChain(rows.slice(0, 3), { expectedHead: recorded });
    expect(!truncated.ok && truncated.break).toMatchObject({ seq: 4, reason: 'truncated' });
    // Without the recorded head the shorter chain looks whole.
    expect(verifyChain(rows.slice(0, 3)).ok).toBe(true);

    const rewritten = buildChain([entries[0]!, { ...entries[1]!, details: { forged: true } }, ...entries.slice(2)]);
    expect(verifyChain(rewritten).ok).toBe(true);
    expect(verifyChain(rewritten, { expectedHead: recorded })).toMatchObject({ ok: false, break: { seq: 4, reason: 'rewritten' } });
  });

  it('verifies a later part of the chain from the row before it, in pages', () => {
    const rows = buildChain();
    expect(verifyChain(rows.slice(2), { after: { seq: 2, hash: rows[1]!.hash } })).toMatchObject({ ok: true, verified: 3 });
    expect(verifyChain(rows.slice(2), { after: { seq: 2, hash: rows[0]!.hash } })).toMatchObject({ ok: false, break: { seq: 3, reason: 'broken_link' } });

    const verifier = new ChainVerifier();
    for (const page of [rows.slice(0, 2), rows.slice(2, 4), rows.slice(4)]) for (const row of page) expect(verifier.push(row)).toBeUndefined();
    expect(verifier.finish()).toEqual({ ok: true, verified: 5, head: { seq: 5, hash: rows[4]!.hash } });
  });

  it('keeps reporting the first break', () => {
    const rows = buildChain();
    const verifier = new ChainVerifier();
    verifier.push(rows[0]!);
    const first = verifier.push({ ...rows[1]!, action: 'x' });
    expect(first).toMatchObject({ seq: 2, reason: 'edited' });
    expect(verifier.push(rows[2]!)).toBe(first);
    expect(verifier.finish()).toMatchObject({ ok: false, verified: 1, break: first });
  });
});

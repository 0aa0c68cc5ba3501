/**
 * Blocking: the candidate pairs of the linkage, from several blocking keys. Two records are a
 * candidate pair when they share the value of at least one key; every pair appears once
 * however many keys it shares (attributed to the first key, in the order of the key list).
 *
 * Pure and in memory: records in, pairs out as two Int32Arrays of record indices (a < b).
 * A key whose block is huge (a shared office landline, a dormitory) would produce a square
 * number of useless pairs: such a block is split by sex and birth year, and what is still
 * too big is skipped and counted.
 */
import type { AddressKey, ComparableRecord } from './compare.js';

/** What the keys read of a record, derived once per record (not once per key). */
export interface RecordView {
  record: ComparableRecord;
  /** The surname's pinyin (欧阳 → 'ouyang'). */
  surnamePinyin: string | null;
  /** The name's pinyin without separators. */
  pinyin: string | null;
  /** Birth years the record allows (see birthYears). */
  years: readonly number[];
  /** Room-level address keys (see roomKeys). */
  rooms: readonly string[];
}

export function recordView(record: ComparableRecord): RecordView {
  return {
    record,
    surnamePinyin: surnamePinyin(record),
    pinyin: record.namePinyin === null ? null : record.namePinyin.replaceAll(' ', ''),
    years: birthYears(record),
    rooms: roomKeys(record),
  };
}

export interface BlockingKey {
  name: string;
  /** The record's values of this key (none: the record takes no part in this key's blocks). */
  values(view: RecordView): readonly string[];
  /**
   * When given, a block's pair is formed only if at least one of its two records passes: e.g.
   * the birth-date key serves the records without a usable ID number.
   */
  needs?(record: ComparableRecord): boolean;
}

export interface BlockingKeyStats {
  /** Blocks of two or more records that produced pairs. */
  blocks: number;
  /** Pairs this key produced. */
  pairs: number;
  /** Of which not produced by an earlier key. */
  newPairs: number;
  /** Blocks still larger than the cap after sub-blocking, skipped. */
  skippedBlocks: number;
  skippedRecords: number;
  /** Pairs those skipped blocks would have made. */
  skippedPairs: number;
  /** Oversized blocks that were split by sex and birth year. */
  subBlocked: number;
}

export interface CandidatePairs {
  /** Number of distinct pairs. */
  count: number;
  /** a[k] < b[k]: record indices, sorted by (a, b). */
  a: Int32Array;
  b: Int32Array;
  /** Index in `keys` of the first key that produced the pair. */
  firstKey: Uint8Array;
  keys: readonly string[];
  perKey: Record<string, BlockingKeyStats>;
}

export interface BlockingOptions {
  keys?: readonly BlockingKey[];
  /** Blocks larger than this are sub-blocked, then skipped (default 250). */
  maxBlockSize?: number;
  /** Called with every record's key values as stored hashes (storedKeyHash), for the database. */
  onValue?: (record: number, storedHash: number) => void;
}

export const DEFAULT_MAX_BLOCK_SIZE = 250;

// ------------------------------------------------------------------------------ key helpers

/** Code points in a string. */
function length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/** The surname's pinyin: as many leading syllables of the name's pinyin as the surname has characters. */
export function surnamePinyin(r: ComparableRecord): string | null {
  if (r.namePinyin === null || r.surname === null) return null;
  const n = length(r.surname);
  if (n === 0) return null;
  const p = r.namePinyin;
  let end = -1;
  for (let k = 0; k < n; k++) {
    end = p.indexOf(' ', end + 1);
    if (end < 0) {
      if (k === n - 1) end = p.length;
      else return null;
      break;
    }
  }
  const s = p.slice(0, end);
  return n > 1 ? s.replaceAll(' ', '') : s;
}

/** The leading digits an ID number carries, however damaged (18 characters, or the surviving prefix). */
export function idDigits(r: ComparableRecord): string | null {
  return r.idNumber ?? r.idPrefix;
}

/** Birth years a record is compatible with: its birth date's, else the two an age allows. */
export function birthYears(r: ComparableRecord): number[] {
  if (r.birthDate !== null) return [r.birthYear];
  if (r.age !== null) return [r.exportYear - r.age - 1, r.exportYear - r.age];
  return [];
}

/** Room-level address keys: estate (or road number), building, unit and room all known. */
export function roomKeys(r: ComparableRecord): string[] {
  const out: string[] = [];
  for (const x of r.addresses) {
    const key = roomKey(x);
    if (key !== null && !out.includes(key)) out.push(key);
  }
  return out;
}

function roomKey(x: AddressKey): string | null {
  const place = x.estate ?? x.road;
  if (place === null || x.building === null || x.room === null) return null;
  return `${x.community ?? ''}|${place}|${x.building}|${x.unit ?? ''}|${x.room}`;
}

const NONE: readonly string[] = [];

function one(value: string | null): readonly string[] {
  return value === null ? NONE : [value];
}

function usableId(r: ComparableRecord): boolean {
  return r.idKind === 'usable';
}

/**
 * The default keys, strongest first. Each catches matches the others miss:
 * - id: the 18-character number (valid or damaged);
 * - id_birth_surname: the ID's birth-date digits (7–14) and the surname's pinyin — a wrong
 *   digit or a swap outside the birth date, a lost tail, a 15-digit upgrade;
 * - id_prefix14: region and birth date, the surviving digits of a damaged number (pairs with
 *   at least one number that is not usable);
 * - name_year: the name's pinyin (homophones, traditional characters) and birth year, an age
 *   standing for two years; the former name (曾用名) too;
 * - phone: the local number;
 * - household: the source's own household or family number;
 * - spouse: family planning's spouse ID number against everyone's ID number;
 * - birth_sex_surname: birth date, sex and surname's pinyin, for records without a usable ID;
 * - room_surname: the same flat and surname — a name typo with a damaged ID number and an age;
 * - given_birth_sex: the given name, birth date and sex — a surname typed wrong (王/玉).
 */
export const DEFAULT_BLOCKING_KEYS: readonly BlockingKey[] = [
  { name: 'id', values: (v) => one(v.record.idNumber) },
  {
    name: 'id_birth_surname',
    values: (v) => {
      const d = idDigits(v.record);
      const s = v.surnamePinyin;
      return d !== null && d.length >= 14 && s !== null ? [`${d.slice(6, 14)}|${s}`] : NONE;
    },
  },
  {
    name: 'id_prefix14',
    values: (v) => {
      const d = idDigits(v.record);
      return d !== null && d.length >= 14 ? [d.slice(0, 14)] : NONE;
    },
    needs: (r) => !usableId(r),
  },
  {
    name: 'name_year',
    values: (v) => {
      const r = v.record;
      const years = v.years;
      if (years.length === 0) return NONE;
      const names: string[] = [];
      const p = v.pinyin;
      if (p !== null) names.push(p);
      if (r.formerNameMatch !== null) names.push(r.formerNameMatch);
      if (r.nameMatch !== null && r.nameMatch !== r.formerNameMatch) names.push(r.nameMatch);
      const out: string[] = [];
      for (const n of names) for (const y of years) out.push(`${n}|${y}`);
      return out;
    },
  },
  { name: 'phone', values: ({ record: r }) => one(r.phoneTail !== null && r.phoneTail.length >= 7 ? r.phoneTail : null) },
  { name: 'household', values: ({ record: r }) => one(r.householdKey === null ? null : `${r.source}|${r.householdKey}`) },
  {
    name: 'spouse',
    values: ({ record: r }) => {
      if (r.spouseIdNumber === null) return one(r.idNumber);
      return r.idNumber !== null && r.idNumber !== r.spouseIdNumber ? [r.spouseIdNumber, r.idNumber] : [r.spouseIdNumber];
    },
    needs: (r) => r.spouseIdNumber !== null,
  },
  {
    name: 'birth_sex_surname',
    values: ({ record: r, surnamePinyin: s }) => (r.birthDate !== null && s !== null ? [`${r.birthDate}|${r.sex ?? ''}|${s}`] : NONE),
    needs: (r) => !usableId(r),
  },
  {
    name: 'room_surname',
    values: ({ surnamePinyin: s, rooms }) => (s === null || rooms.length === 0 ? NONE : rooms.map((k) => `${k}|${s}`)),
    needs: (r) => !usableId(r),
  },
  {
    name: 'given_birth_sex',
    values: ({ record: r }) => {
      if (r.nameChars === null || r.surname === null || r.birthDate === null) return NONE;
      const surnameLength = length(r.surname);
      if (r.nameChars.length <= surnameLength) return NONE;
      const given = String.fromCodePoint(...r.nameChars.slice(surnameLength));
      return [`${given}|${r.birthDate}|${r.sex ?? ''}`];
    },
    needs: (r) => !usableId(r),
  },
];

// ------------------------------------------------------------------------------ pairs

/** Two 32-bit FNV-1a hashes of a string, as one 53-bit number. */
export function hash53(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/** A growable Float64Array of pair codes ((a * n + b) * K + key). */
class CodeBuffer {
  data = new Float64Array(1 << 16);
  length = 0;
  push(code: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = code;
  }
}

function emptyStats(): BlockingKeyStats {
  return { blocks: 0, pairs: 0, newPairs: 0, skippedBlocks: 0, skippedRecords: 0, skippedPairs: 0, subBlocked: 0 };
}

function subBlockKey(r: ComparableRecord): string {
  const years = birthYears(r);
  return `${r.sex ?? ''}|${years[0] ?? ''}`;
}

/**
 * The union of the keys' candidate pairs, each pair once. Deterministic: the result depends
 * only on the records' order (indices) and the key list.
 */
export function candidatePairs(records: readonly ComparableRecord[], options: BlockingOptions = {}): CandidatePairs {
  const keys = options.keys ?? DEFAULT_BLOCKING_KEYS;
  const maxBlock = options.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE;
  const onValue = options.onValue;
  const n = records.length;
  const K = 32;
  if (keys.length > K) throw new Error(`candidatePairs: at most ${K} blocking keys`);
  const buffer = new CodeBuffer();
  const perKey: Record<string, BlockingKeyStats> = {};

  const views = records.map((r) => recordView(r));
  // Per key: every (record, value) as one number, hash(value) * 2^recordBits + record,
  // sorted: equal hashes are one block, its records in increasing order. No map of strings
  // survives the key; a hash collision (hashBits ≥ 28) only adds candidate pairs, and every
  // pair is scored on its own merits.
  const recordBits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  const hashBits = 53 - recordBits;
  if (hashBits < 24) throw new Error(`candidatePairs: too many records (${n})`);
  const recordScale = 2 ** recordBits;
  const hashScale = 2 ** hashBits;
  let keyCodes: Float64Array = new Float64Array(n + 16);
  keys.forEach((key, keyIndex) => {
    const stats = emptyStats();
    perKey[key.name] = stats;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const values = key.values(views[i] as RecordView);
      for (let v = 0; v < values.length; v++) {
        if (m === keyCodes.length) {
          const grown = new Float64Array(m * 2);
          grown.set(keyCodes);
          keyCodes = grown;
        }
        const hv = hash53(values[v] as string);
        keyCodes[m++] = (hv % hashScale) * recordScale + i;
        onValue?.(i, storedKeyHash(keyIndex, hv));
      }
    }
    const sorted = keyCodes.subarray(0, m).sort();
    // members: records by block, a record once per block.
    const members = new Int32Array(m);
    const startList: number[] = [];
    let count = 0;
    let lastHash = -1;
    let lastRecord = -1;
    for (let k = 0; k < m; k++) {
      const code = sorted[k] as number;
      const hv = Math.floor(code / recordScale);
      const r = code - hv * recordScale;
      if (hv !== lastHash) {
        startList.push(count);
        lastHash = hv;
        lastRecord = -1;
      }
      if (r === lastRecord) continue; // two values of one record in one block
      lastRecord = r;
      members[count++] = r;
    }
    startList.push(count);
    const start = Int32Array.from(startList);
    const blocks = start.length - 1;

    const needs = key.needs;
    const emit = (from: number, to: number): void => {
      let made = 0;
      for (let x = from; x < to; x++) {
        const i = members[x] as number;
        const iNeeds = needs === undefined || needs(records[i] as ComparableRecord);
        for (let y = x + 1; y < to; y++) {
          const j = members[y] as number;
          if (!iNeeds && !(needs as (r: ComparableRecord) => boolean)(records[j] as ComparableRecord)) continue;
          buffer.push((i * n + j) * K + keyIndex); // i < j
          made++;
        }
      }
      if (made > 0) stats.blocks++;
      stats.pairs += made;
    };
    const skip = (size: number): void => {
      stats.skippedBlocks++;
      stats.skippedRecords += size;
      stats.skippedPairs += (size * (size - 1)) / 2;
    };
    for (let b = 0; b < blocks; b++) {
      const from = start[b] as number;
      const to = start[b + 1] as number;
      const size = to - from;
      if (size < 2) continue;
      if (needs !== undefined) {
        let any = false;
        for (let x = from; x < to && !any; x++) any = needs(records[members[x] as number] as ComparableRecord);
        if (!any) continue;
      }
      if (size <= maxBlock) {
        emit(from, to);
        continue;
      }
      // Too big: split by sex and birth year, in record order.
      stats.subBlocked++;
      const sub = new Map<string, number[]>();
      for (let x = from; x < to; x++) {
        const i = members[x] as number;
        const s = subBlockKey(records[i] as ComparableRecord);
        const list = sub.get(s);
        if (list === undefined) sub.set(s, [i]);
        else list.push(i);
      }
      for (const list of sub.values()) {
        if (list.length < 2) continue;
        if (list.length > maxBlock) {
          skip(list.length);
          continue;
        }
        // Emit through a scratch copy in `members`' place: the block's slots are done with.
        members.set(list, from);
        emit(from, from + list.length);
      }
    }
  });

  // Union: sort the codes, keep each pair once with the first key that produced it.
  const codes = buffer.data.subarray(0, buffer.length).sort();
  let count = 0;
  let last = -1;
  for (let k = 0; k < codes.length; k++) {
    const pair = Math.floor((codes[k] as number) / K);
    if (pair !== last) {
      count++;
      last = pair;
    }
  }
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  const firstKey = new Uint8Array(count);
  last = -1;
  let p = 0;
  for (let k = 0; k < codes.length; k++) {
    const code = codes[k] as number;
    const pair = Math.floor(code / K);
    if (pair === last) continue;
    last = pair;
    const i = Math.floor(pair / n);
    a[p] = i;
    b[p] = pair - i * n;
    const keyIndex = code - pair * K;
    firstKey[p] = keyIndex;
    const name = keys[keyIndex]?.name;
    if (name !== undefined) (perKey[name] as BlockingKeyStats).newPairs++;
    p++;
  }
  return { count, a, b, firstKey, keys: keys.map((k) => k.name), perKey };
}

/**
 * A key value as the database stores it: 48 bits of the value's hash, then the key's index in
 * the key list (5 bits), one 53-bit number. Changing the key list means linking again in full.
 */
export function storedKeyHash(keyIndex: number, valueHash: number): number {
  return (valueHash % 2 ** 48) * 32 + keyIndex;
}

/**
 * The record's blocking-key values as stored hashes: what the database keeps per linked
 * record, so that a new batch finds the records it shares a block with without reading the
 * whole population. Every value, whatever the key's `needs` says: the other record of a pair
 * may be the one that needs it. Sorted, each once. (A full run gets the same numbers from
 * candidatePairs' onValue.)
 */
export function blockingKeyHashes(record: ComparableRecord, keys: readonly BlockingKey[] = DEFAULT_BLOCKING_KEYS): number[] {
  const view = recordView(record);
  const out = new Set<number>();
  keys.forEach((key, k) => {
    for (const value of key.values(view)) out.add(storedKeyHash(k, hash53(value)));
  });
  return [...out].sort((a, b) => a - b);
}

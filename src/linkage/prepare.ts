/**
 * The linker's view of one record: compare.ts's comparable view, with the two readings of an
 * ID number that the normaliser cannot settle alone, settled with the rest of the record.
 *
 * - 18 digits ending in '000' that happen to pass the check (1 in 11 of Excel's damaged
 *   numbers: 15 significant digits, then zeros) may be a damaged number: only the first 15
 *   digits are trusted (an 'prefix' ID), so it neither blocks a merge with the person's true
 *   number nor stands as a hard key of its own.
 * - 15 digits read as a legacy number (YYMMDD birth date) may be an 18-digit number whose
 *   tail was lost (YYYYMMDD birth date): when the record's own birth date (or age) agrees with
 *   the 18-digit reading and not with the legacy one, the 15 digits are a prefix.
 *
 * Pure.
 */
import { toComparable, type AddressKey, type ComparableRecord } from './compare.js';

function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

function asPrefix(r: ComparableRecord, prefix: string): ComparableRecord {
  return { ...r, idKind: 'prefix', idNumber: null, idChars: null, idPrefix: prefix, idUpgraded: false };
}

/** The record's own evidence for a birth date y-m-d: 1 agrees, -1 disagrees, 0 says nothing. */
function birthEvidence(r: ComparableRecord, data: Record<string, unknown>, y: number, m: number, d: number): number {
  if (r.birthDate !== null && !r.birthDateFromId) {
    return r.birthYear === y && r.birthMonthDay === m * 100 + d ? 1 : -1;
  }
  const age = data.age;
  const exportDate = data.exportDate;
  if (typeof age === 'number' && typeof exportDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(exportDate)) {
    const ey = Number(exportDate.slice(0, 4));
    const emd = Number(exportDate.slice(5, 7)) * 100 + Number(exportDate.slice(8, 10));
    const derived = ey - y - (emd < m * 100 + d ? 1 : 0);
    return Math.abs(derived - age) <= 1 ? 1 : -1;
  }
  return 0;
}

/**
 * Shared parts of many records (a household's address, a person's ID number, a name): with
 * a cache, equal parts are one object — which matters for hundreds of thousands of records.
 */
export interface PrepareCache {
  addresses: Map<string, AddressKey>;
  idChars: Map<string, readonly number[]>;
  nameChars: Map<string, readonly number[]>;
}

export function prepareCache(): PrepareCache {
  return { addresses: new Map(), idChars: new Map(), nameChars: new Map() };
}

function shared(r: ComparableRecord, cache: PrepareCache): ComparableRecord {
  const addresses = r.addresses.map((a) => {
    const key = `${a.normalized}|${a.community ?? ''}`;
    const known = cache.addresses.get(key);
    if (known !== undefined) return known;
    cache.addresses.set(key, a);
    return a;
  });
  let idChars = r.idChars;
  if (idChars !== null && r.idNumber !== null) {
    const known = cache.idChars.get(r.idNumber);
    if (known !== undefined) idChars = known;
    else {
      idChars = idChars.slice(); // exact capacity
      cache.idChars.set(r.idNumber, idChars);
    }
  }
  let nameChars = r.nameChars;
  if (nameChars !== null && r.nameMatch !== null) {
    const known = cache.nameChars.get(r.nameMatch);
    if (known !== undefined) nameChars = known;
    else {
      nameChars = nameChars.slice();
      cache.nameChars.set(r.nameMatch, nameChars);
    }
  }
  // r is this call's own fresh object: fill it in place.
  r.addresses = addresses;
  r.idChars = idChars;
  r.nameChars = nameChars;
  return r;
}

/** The linker's comparable view of a record (see the module comment). */
export function prepareRecord(source: string, data: Record<string, unknown>, householdKey?: string | null, cache?: PrepareCache): ComparableRecord {
  const r = settleIdNumber(source, data, householdKey);
  return cache === undefined ? r : shared(r, cache);
}

function settleIdNumber(source: string, data: Record<string, unknown>, householdKey: string | null | undefined): ComparableRecord {
  const r = toComparable(source, data, householdKey);
  const id = r.idNumber;
  if (r.idKind !== 'usable' || id === null) return r;
  if (!r.idUpgraded && id.endsWith('000')) return asPrefix(r, id.slice(0, 15));
  if (r.idUpgraded) {
    // The 15 digits as typed: region, YYMMDD, sequence (the upgrade inserted '19' and a check character).
    const digits = id.slice(0, 6) + id.slice(8, 17);
    const y = Number(digits.slice(6, 10));
    const m = Number(digits.slice(10, 12));
    const d = Number(digits.slice(12, 14));
    if (y < 1900 || !isRealDate(y, m, d)) return r;
    const legacy = { y: Number(id.slice(6, 10)), m: Number(id.slice(10, 12)), d: Number(id.slice(12, 14)) };
    if (birthEvidence(r, data, y, m, d) > 0 && birthEvidence(r, data, legacy.y, legacy.m, legacy.d) < 0) {
      const prefix = asPrefix(r, digits);
      // The birth date the ID number gave was the legacy reading's: take the record's own
      // instead (its age), as toComparable does for a record without a birth date.
      if (r.birthDateFromId) return toComparable(source, { ...data, idNumberBirthDate: undefined, idNumberSex: undefined, idNumberStatus: 'malformed', idNumber: digits }, householdKey);
      return prefix;
    }
  }
  return r;
}

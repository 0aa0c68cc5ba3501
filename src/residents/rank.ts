/**
 * Ranking of the residents a search found. The database narrows (indexes on ID number, name,
 * pinyin, birth date, community); here each hit gets its reasons, and fuse.js orders the
 * candidates of a name search by how close their names are to what was typed. Pure.
 */
import Fuse from 'fuse.js';
import { compareIds } from '../linkage/reconcile.js';
import type { NameQuery } from './query.js';

/** Why a resident is in the results (the rank reason shown with each result). */
export type Reason =
  | 'id_number' // a record or the golden record holds the number
  | 'name_exact' // a record writes the name exactly as typed
  | 'name_variant' // the same name in another writing (traditional characters, spacing)
  | 'former_name' // a record's 曾用名
  | 'homophone' // the same pinyin, other characters
  | 'pinyin' // the name typed as pinyin
  | 'birth_date'
  | 'community'
  | 'address'; // the current address holds the part typed below the community

/** How good a name reason is: lower first. */
const NAME_TIER: Partial<Record<Reason, number>> = { name_exact: 0, name_variant: 1, former_name: 2, homophone: 3, pinyin: 3 };

/** One source record's name forms, as the search read them. */
export interface NameHit {
  name: string | null;
  nameMatch: string | null;
  namePinyin: string | null;
  formerNameMatch?: string | null;
}

/** Why a record's names answer a name query; null when they do not. */
export function nameReason(query: NameQuery, hit: NameHit): Reason | null {
  if (query.script === 'pinyin') return hit.namePinyin !== null && query.readings.includes(hit.namePinyin) ? 'pinyin' : null;
  if (hit.name !== null && hit.name.trim() === query.typed) return 'name_exact';
  if (query.matchForm !== null && hit.nameMatch === query.matchForm) return 'name_variant';
  if (query.matchForm !== null && hit.formerNameMatch === query.matchForm) return 'former_name';
  if (hit.namePinyin !== null && query.readings.includes(hit.namePinyin)) return 'homophone';
  return null;
}

/** A resident found by the search, with what its records say. */
export interface Candidate {
  residentId: string;
  reasons: Set<Reason>;
  /** Names (as written and match forms) and former names of the records that answered. */
  names: Set<string>;
  /** Their pinyin without spaces. */
  pinyins: Set<string>;
  /** How close the current address is to a typed one (addressCloseness; 0 without). */
  address: number;
}

export function newCandidate(residentId: string): Candidate {
  return { residentId, reasons: new Set(), names: new Set(), pinyins: new Set(), address: 0 };
}

/** Adds one record's answer to a name query to its resident's candidate. */
export function addNameHit(candidate: Candidate, reason: Reason, hit: NameHit): void {
  candidate.reasons.add(reason);
  if (hit.name !== null) candidate.names.add(hit.name);
  if (hit.nameMatch !== null) candidate.names.add(hit.nameMatch);
  if (hit.formerNameMatch) candidate.names.add(hit.formerNameMatch);
  if (hit.namePinyin !== null) candidate.pinyins.add(hit.namePinyin.replaceAll(' ', ''));
}

export interface Ranked {
  residentId: string;
  /** 1 for an exact hit; below 1 the closer the name, the higher. */
  score: number;
  reasons: Reason[];
}

const REASON_ORDER: readonly Reason[] = ['id_number', 'name_exact', 'name_variant', 'former_name', 'homophone', 'pinyin', 'birth_date', 'community', 'address'];

function tierOf(c: Candidate): number {
  let tier = Number.POSITIVE_INFINITY;
  for (const r of c.reasons) tier = Math.min(tier, NAME_TIER[r] ?? Number.POSITIVE_INFINITY);
  return Number.isFinite(tier) ? tier : 0;
}

/**
 * Candidates best first: by the best name reason (exact, other writing, former name,
 * homophone), then how close they live to an address typed, then fuse.js's closeness of the names to the query, then
 * resident id (so that pages are stable).
 */
export function rankCandidates(name: NameQuery | null, candidates: readonly Candidate[]): Ranked[] {
  const scores = new Map<string, number>();
  if (name !== null && candidates.length > 0) {
    const docs = candidates.map((c) => ({ id: c.residentId, names: [...c.names], pinyins: [...c.pinyins] }));
    const fuse = new Fuse(docs, {
      keys: name.script === 'pinyin' ? ['pinyins'] : [{ name: 'names', weight: 2 }, 'pinyins'],
      includeScore: true,
      ignoreLocation: true,
      threshold: 1,
      shouldSort: false,
    });
    for (const result of fuse.search(name.rankText)) scores.set(result.item.id, 1 - (result.score ?? 1));
  }
  const ranked = candidates.map((c) => ({
    residentId: c.residentId,
    tier: tierOf(c),
    address: c.address,
    score: name === null ? 1 : Math.round((scores.get(c.residentId) ?? 0) * 10_000) / 10_000,
    reasons: REASON_ORDER.filter((r) => c.reasons.has(r)),
  }));
  ranked.sort((a, b) => a.tier - b.tier || b.address - a.address || b.score - a.score || compareIds(a.residentId, b.residentId));
  return ranked.map(({ residentId, score, reasons }) => ({ residentId, score, reasons }));
}

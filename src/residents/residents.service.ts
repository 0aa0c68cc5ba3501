/**
 * Resident lookup for the API: search, the golden record with its provenance and source
 * records, its history, and "do we already know this person?" matching. Every answer is
 * redacted for the caller's role here, as it is built.
 */
import type { RedactedGolden } from '../access/field-policy.js';
import { redactGolden } from '../access/field-policy.js';
import type { Role } from '../access/roles.js';
import type { Executor } from '../db/schema.js';
import type { GoldenRecord } from '../golden/types.js';
import { AppError, ErrorCodes } from '../errors.js';
import { blockingKeyHashes } from '../linkage/blocking.js';
import { communityCore } from '../linkage/compare.js';
import { linkRepository } from '../linkage/link.repository.js';
import { scorePair, weightTables } from '../linkage/model.js';
import { prepareCache, prepareRecord } from '../linkage/prepare.js';
import { PROBE_FIELDS, candidatesOf, probeRecord, type MatchCandidate, type MatchProbe, type ScoredRecord } from './probe.js';
import { addressCloseness, planSearch, type AddressParts, type AddressQuery, type CriterionKind, type SearchParams, type SearchPlan } from './query.js';
import { addNameHit, nameReason, newCandidate, rankCandidates, type Candidate, type Reason } from './rank.js';
import { residentsRepository as repo } from './residents.repository.js';
import { issueView, issueVisible, linkedRecordView, residentSummary, versionView, type IssueView, type LinkedRecordView, type ResidentSummary, type VersionView } from './views.js';

/** Residents a name or ID number may bring up before ranking; more say the query is too vague to rank. */
const MAX_CANDIDATES = 2_000;
/** Up to this many candidates, their golden records are read at once (a lookup's usual few). */
const DIRECT_READ = 100;
/** Residents of one community a community-only search pages through. */
const MAX_COMMUNITY = 50_000;
/** A chain of merges longer than this is a cycle. */
const MAX_REDIRECTS = 64;
/** Source records a match compares the probe with (blocks of over 1,000 are skipped already). */
const MAX_MATCH_RECORDS = 20_000;

// ---------------------------------------------------------------------------------------------
// Search

export interface SearchItem {
  id: string;
  score: number;
  reasons: Reason[];
  resident: ResidentSummary;
}

export interface SearchResult {
  items: SearchItem[];
  /** The offset of the next page, or null on the last. */
  next: string | null;
  /** Residents found in all. */
  total: number;
  /** What was searched for (kinds only): for the audit. */
  kinds: CriterionKind[];
  qKind: CriterionKind | null;
}

function candidateMap(ids: Iterable<string>, reason: Reason): Map<string, Candidate> {
  const out = new Map<string, Candidate>();
  for (const id of ids) {
    const c = out.get(id) ?? newCandidate(id);
    c.reasons.add(reason);
    out.set(id, c);
  }
  return out;
}

/** Residents in both, with the reasons and names of both. */
function intersect(a: Map<string, Candidate>, b: Map<string, Candidate>): Map<string, Candidate> {
  const out = new Map<string, Candidate>();
  for (const [id, x] of a) {
    const y = b.get(id);
    if (y === undefined) continue;
    for (const r of y.reasons) x.reasons.add(r);
    for (const n of y.names) x.names.add(n);
    for (const p of y.pinyins) x.pinyins.add(p);
    out.set(id, x);
  }
  return out;
}

async function nameCandidates(db: Executor, plan: SearchPlan): Promise<Map<string, Candidate>> {
  const name = plan.name!;
  const hits = await repo.nameHits(db, name.matchForm, name.readings, MAX_CANDIDATES * 2);
  if (name.matchForm !== null) hits.push(...(await repo.formerNameHits(db, name.matchForm, MAX_CANDIDATES)));
  const out = new Map<string, Candidate>();
  for (const hit of hits) {
    const reason = nameReason(name, hit);
    if (reason === null) continue;
    const c = out.get(hit.residentId) ?? newCandidate(hit.residentId);
    addNameHit(c, reason, hit);
    out.set(hit.residentId, c);
  }
  return out;
}

function nearAddress(c: Candidate, query: AddressQuery, address: AddressParts | null): void {
  c.address = addressCloseness(query, address);
  if (c.address > 0) c.reasons.add('address');
}

/** The residents the plan's most selective criteria find, before the others filter them. */
async function narrow(db: Executor, plan: SearchPlan): Promise<{ candidates: Map<string, Candidate>; checked: Set<CriterionKind> }> {
  const checked = new Set<CriterionKind>();
  let candidates: Map<string, Candidate> | null = null;
  if (plan.idNumber !== null) {
    candidates = candidateMap(await repo.idsByIdNumber(db, plan.idNumber, MAX_CANDIDATES), 'id_number');
  }
  if (plan.name !== null && (candidates === null || candidates.size > 0)) {
    const byName = await nameCandidates(db, plan);
    candidates = candidates === null ? byName : intersect(candidates, byName);
  }
  if (candidates !== null) return { candidates, checked };
  if (plan.birthDate !== null) {
    checked.add('birthDate');
    return { candidates: candidateMap(await repo.idsByBirthDate(db, plan.birthDate, MAX_CANDIDATES), 'birth_date'), checked };
  }
  // The community alone: every resident of it, those at the address typed first.
  const core = plan.community!;
  const out = new Map<string, Candidate>();
  for (const row of await repo.byCommunityPrefix(db, core, MAX_COMMUNITY)) {
    if (communityCore(row.community) !== core) continue;
    const c = newCandidate(row.id);
    c.reasons.add('community');
    if (plan.address !== null) nearAddress(c, plan.address, row.address);
    out.set(row.id, c);
  }
  checked.add('community');
  checked.add('address');
  return { candidates: out, checked };
}

export async function searchResidents(db: Executor, role: Role, params: SearchParams & { limit: number; offset: number }): Promise<SearchResult> {
  const plan = planSearch(params);
  if (plan.idNumber !== null && plan.name === null && plan.birthDate === null && plan.community === null) return lookupByIdNumber(db, role, plan, plan.idNumber, params);
  const { candidates, checked } = await narrow(db, plan);
  const ids = [...candidates.keys()];
  const filterBirth = plan.birthDate !== null && !checked.has('birthDate');
  const filterCommunity = plan.community !== null && !checked.has('community');

  // A lookup (an ID number, a name) finds a few residents: their golden records are read at
  // once, which also tells which are live (not merged away, with a golden record).
  let goldens: Map<string, GoldenRecord> | null = null;
  if (!filterBirth && !filterCommunity && ids.length <= DIRECT_READ) {
    goldens = await repo.goldens(db, ids);
    for (const id of ids) if (!goldens.has(id)) candidates.delete(id);
  } else {
    const live = checked.has('birthDate') || checked.has('community') ? null : await repo.live(db, ids);
    const addresses = filterCommunity ? await repo.addresses(db, ids) : null;
    for (const c of [...candidates.values()]) {
      const facts = live?.get(c.residentId);
      let keep = live === null || facts !== undefined;
      if (keep && filterBirth) {
        keep = facts?.birthDate === plan.birthDate;
        if (keep) c.reasons.add('birth_date');
      }
      if (keep && addresses !== null) {
        const a = addresses.get(c.residentId);
        keep = a !== undefined && communityCore(a.community) === plan.community;
        if (keep) {
          c.reasons.add('community');
          if (plan.address !== null) nearAddress(c, plan.address, a!.address);
        }
      }
      if (!keep) candidates.delete(c.residentId);
    }
  }

  const ranked = rankCandidates(plan.name, [...candidates.values()]);
  const page = ranked.slice(params.offset, params.offset + params.limit);
  goldens ??= await repo.goldens(db, page.map((r) => r.residentId));
  const items: SearchItem[] = [];
  for (const r of page) {
    const golden = goldens.get(r.residentId);
    // Merged or emptied between the two reads: left out of this page rather than shown stale.
    if (golden === undefined) continue;
    items.push({ id: r.residentId, score: r.score, reasons: r.reasons, resident: residentSummary(role, golden) });
  }
  const end = params.offset + params.limit;
  return { items, next: end < ranked.length ? String(end) : null, total: ranked.length, kinds: plan.kinds, qKind: plan.qKind };
}

/** The commonest search, an ID number alone: the residents and their golden records in one query. */
async function lookupByIdNumber(db: Executor, role: Role, plan: SearchPlan, idNumber: string, params: { limit: number; offset: number }): Promise<SearchResult> {
  const goldens = await repo.goldensByIdNumber(db, idNumber, MAX_CANDIDATES);
  const ranked = rankCandidates(null, [...candidateMap(goldens.keys(), 'id_number').values()]);
  const end = params.offset + params.limit;
  const items = ranked.slice(params.offset, end).map((r) => ({ id: r.residentId, score: r.score, reasons: r.reasons, resident: residentSummary(role, goldens.get(r.residentId)!) }));
  return { items, next: end < ranked.length ? String(end) : null, total: ranked.length, kinds: plan.kinds, qKind: plan.qKind };
}

// ---------------------------------------------------------------------------------------------
// One resident

export type Resolved = { kind: 'found'; id: string; version: number } | { kind: 'merged'; id: string; survivor: string };

/** The resident `id`, or the survivor it was merged into (chains followed); RH_ERR_NOT_FOUND when there is none. */
export async function resolveResident(db: Executor, id: string): Promise<Resolved> {
  let head = await repo.head(db, id);
  const seen = new Set<string>();
  while (head !== undefined && head.mergedInto !== null) {
    if (seen.has(head.id) || seen.size >= MAX_REDIRECTS) throw new AppError(ErrorCodes.INTERNAL, `resident ${id}: merge chain does not end`);
    seen.add(head.id);
    head = await repo.head(db, head.mergedInto);
  }
  if (head === undefined || head.version === 0) throw new AppError(ErrorCodes.NOT_FOUND, `no resident ${id}`);
  return head.id === id ? { kind: 'found', id, version: head.version } : { kind: 'merged', id, survivor: head.id };
}

export interface ResidentDetail {
  id: string;
  version: number;
  golden: RedactedGolden;
  records: LinkedRecordView[];
  issues: IssueView[];
}

export async function residentDetail(db: Executor, role: Role, id: string, version: number): Promise<ResidentDetail> {
  const [goldens, records, issues] = await Promise.all([repo.goldens(db, [id]), repo.linkedRecords(db, id), repo.openIssues(db, id)]);
  const golden = goldens.get(id);
  if (golden === undefined) throw new AppError(ErrorCodes.NOT_FOUND, `no resident ${id}`);
  return {
    id,
    version,
    golden: redactGolden(role, golden),
    records: records.map((r) => linkedRecordView(role, r)),
    issues: issues.filter((i) => issueVisible(role, i)).map((i) => issueView(role, i)),
  };
}

export interface ResidentHistory {
  id: string;
  versions: VersionView[];
}

export async function residentHistory(db: Executor, role: Role, id: string): Promise<ResidentHistory> {
  const versions = await repo.versions(db, id);
  return { id, versions: versions.map((v) => versionView(role, v)) };
}

// ---------------------------------------------------------------------------------------------
// Match

export interface MatchResult {
  model: { id: string; thresholds: { upper: number; lower: number } };
  /** Residents compared with the probe (sharing a blocking key with it). */
  compared: number;
  candidates: (MatchCandidate & { resident: ResidentSummary })[];
  /** Which details were given (for the audit). */
  fields: string[];
}

/**
 * The residents the probe may be, as the linker would judge it: candidates through the stored
 * blocking keys, each of their records scored with the latest model, per resident its best
 * record; those at or above the lower threshold, best first. Stores nothing.
 */
export async function matchPerson(db: Executor, role: Role, probe: MatchProbe, limit: number): Promise<MatchResult> {
  const model = await linkRepository.latestModel(db);
  if (!model) throw new AppError(ErrorCodes.NOT_LINKED, 'nothing is linked yet: import the exports and link them first');
  const record = probeRecord(probe);
  const recordIds = await linkRepository.recordsSharingKeys(db, blockingKeyHashes(record));
  const rows = await repo.matchRecords(db, recordIds.slice(0, MAX_MATCH_RECORDS));
  const cache = prepareCache();
  const others = rows.map((r) => prepareRecord(r.source, r.data, undefined, cache));

  const names = new Set<string>();
  const pinyins = new Set<string>();
  for (const r of [record, ...others]) {
    if (r.nameMatch !== null) names.add(r.nameMatch);
    if (r.formerNameMatch !== null) names.add(r.formerNameMatch);
    if (r.namePinyin !== null) pinyins.add(r.namePinyin);
  }
  const frequencies = await linkRepository.storedFrequencies(db, [...names], [...pinyins]);
  const tables = weightTables(model.params);
  const scored: ScoredRecord[] = rows.map((r, i) => ({
    residentId: r.residentId,
    recordId: r.recordId,
    source: r.source,
    score: scorePair(record, others[i]!, model.params, frequencies, tables),
  }));
  const thresholds = model.params.thresholds;
  const ranked = candidatesOf(scored, thresholds);
  const top = ranked.slice(0, limit);
  const goldens = await repo.goldens(db, top.map((c) => c.residentId));
  const candidates = top.flatMap((c) => {
    const golden = goldens.get(c.residentId);
    return golden === undefined ? [] : [{ ...c, resident: residentSummary(role, golden) }];
  });
  return {
    model: { id: model.id, thresholds: { upper: thresholds.upper, lower: thresholds.lower } },
    compared: new Set(rows.map((r) => r.residentId)).size,
    candidates,
    fields: PROBE_FIELDS.filter((f) => probe[f] !== undefined && probe[f]!.trim() !== ''),
  };
}

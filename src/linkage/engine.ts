/**
 * The in-memory linkage engine: source records in, one cluster (resident) per person out,
 * with the model, the links and what needs an auditor's eye.
 *
 *   records → toComparable → blocking (candidate pairs) → compare (levels)
 *           → u from random pairs, m by EM → weights (+ name frequency) → clustering
 *
 * Pure: no database, no file. Deterministic for the same SET of records: they are sorted by
 * key first, so the order the sources were imported in changes nothing.
 */
import { candidatePairs, type BlockingKeyStats, type BlockingOptions } from './blocking.js';
import { clusterPairs, DEFAULT_CONSTRAINTS, defaultCannotLink, twinFlags, type ConstraintOptions, type PairEvidence } from './cluster.js';
import { COMPARISON_FIELDS, compareRecords, type ComparableRecord, type ComparisonField, type ComparisonVector } from './compare.js';
import {
  NAME_FIELD_INDEX,
  PATTERN_COUNT,
  buildParameters,
  estimateM,
  estimateU,
  levelIndex,
  levelOf,
  nameFrequencies,
  patternCode,
  patternWeight,
  probabilityOf,
  scorePair,
  tfAdjustment,
  weightTables,
  type EmOptions,
  type ModelParameters,
  type NameFrequencies,
} from './model.js';
import { stopwatch } from '../timing.js';
import { prepareCache, prepareRecord } from './prepare.js';

export interface LinkInput {
  /** Unique, stable key of the record (e.g. source + natural key): the engine's sort order. */
  key: string;
  source: string;
  /** The normalised data the adapter built. */
  data: Record<string, unknown>;
  /** Household/family key; undefined: derived from the data; null: none. */
  householdKey?: string | null;
}

export interface LinkOptions {
  blocking?: BlockingOptions;
  /** Random pairs for the u probabilities (default: twice the records, within 100,000–400,000). */
  randomPairs?: number;
  seed?: number;
  em?: EmOptions;
  /** Total match weights (prior included, bits): ≥ upper links, ≥ lower goes to review (default 12 and 2). */
  thresholds?: { upper: number; lower: number };
  /** Use these parameters instead of estimating them (u, m, thresholds unless given). */
  params?: ModelParameters;
  /**
   * Name frequencies for the term-frequency adjustment; default: counted on the input. A
   * small batch linked with a population's parameters should pass the population's.
   */
  frequencies?: NameFrequencies;
  constraints?: Partial<ConstraintOptions>;
  /** At most this many review items, the strongest first (default 100,000). */
  maxReview?: number;
  /** Keep each link's per-field weights (the explanation an auditor reads). */
  explain?: boolean;
  /**
   * Called once the records are blocked, with every record's blocking-key values as stored
   * hashes (what blockingKeyHashes gives, in input order): the caller can store them while
   * the engine goes on.
   */
  onKeyHashes?: (keyHashes: number[][]) => void;
  /** Auditors' decisions on pairs of records (input indices): they outrank the model and the rules. */
  decisions?: PairDecisions;
}

/**
 * mustLink: one person — united before any scored pair, whatever the constraints say (method
 * 'auditor', probability 1). cannotLink: two persons — no cluster ever holds both, and no review
 * item is raised between two clusters an auditor already told apart.
 */
export interface PairDecisions {
  mustLink: readonly (readonly [number, number])[];
  cannotLink: readonly (readonly [number, number])[];
}

export type LinkMethod = 'exact_id' | 'model' | 'single' | 'auditor';

export interface RecordLink {
  /** Index of the record in the input. */
  record: number;
  cluster: number;
  /** Probability of the strongest link that holds the record in its cluster (1 for a single record and an auditor's link). */
  probability: number;
  method: LinkMethod;
  /** Input index of the record on the other side of that strongest link (none for 'single'). */
  partner?: number;
  /** With options.explain: that link's total weight and per-field weights. */
  weight?: number;
  fieldWeights?: Record<ComparisonField, number>;
}

export interface ReviewItem {
  /** Input indices of the two records. */
  a: number;
  b: number;
  weight: number;
  probability: number;
  fieldWeights: Record<ComparisonField, number>;
  levels: ComparisonVector;
  /** between_thresholds, or the constraint that refused a merge the weight asked for. */
  reason: string;
}

export interface LinkStats {
  records: number;
  pairsPerKey: Record<string, BlockingKeyStats>;
  candidatePairs: number;
  /** Candidate pairs at or above the upper threshold. */
  linkedPairs: number;
  /** Pairs between the thresholds. */
  betweenThresholds: number;
  refusedMerges: number;
  refusedByReason: Record<string, number>;
  /** Auditors' must-link pairs given, and those not honoured because they would have joined an auditor's non-match. */
  mustLinks: number;
  mustLinksRefused: number;
  cannotLinks: number;
  clusters: number;
  /** Seconds per stage. */
  timings: Record<string, number>;
}

export interface LinkResult {
  /** Cluster id per input record (same order as the input). */
  clusters: number[];
  links: RecordLink[];
  review: ReviewItem[];
  params: ModelParameters;
  stats: LinkStats;
}

function defaultRandomPairs(records: number): number {
  return Math.min(400_000, Math.max(100_000, 2 * records));
}
const DEFAULT_SEED = 20_261_031;

/** Levels of the ID number that say the two numbers are one (exact, a typo, a damaged form). */
const ID_AGREES = new Set(['exact', 'one_digit', 'transposed', 'check_char', 'lost_digits_agree'].map((l) => levelIndex('idNumber', l)));
const ID_F = COMPARISON_FIELDS.indexOf('idNumber');
const HOUSEHOLD_F = COMPARISON_FIELDS.indexOf('household');
const SAME_HOUSEHOLD = levelIndex('household', 'same_household');
/** ID levels that say one number: exact, or a typo of the other (not a shared prefix, which twins have). */
const ID_CONFIRMS = new Set(['exact', 'one_digit', 'transposed', 'check_char'].map((l) => levelIndex('idNumber', l)));
const NAME_CHAR_APART = new Set(['one_char', 'dropped_char', 'surname_only'].map((l) => levelIndex('name', l)));
const ADDRESS_F = COMPARISON_FIELDS.indexOf('address');
const SAME_ROOM = levelIndex('address', 'same_room');
const BIRTH_F = COMPARISON_FIELDS.indexOf('birthDate');
const BIRTH_EXACT = levelIndex('birthDate', 'exact');
const NAME_SIMPLIFIED = levelIndex('name', 'simplified');
const SPOUSE_LINK = levelIndex('household', 'spouse_link');
const ID_EXACT = levelIndex('idNumber', 'exact');

function compareKeys(x: LinkInput, y: LinkInput): number {
  if (x.key !== y.key) return x.key < y.key ? -1 : 1;
  if (x.source !== y.source) return x.source < y.source ? -1 : 1;
  // Duplicate keys: fall back on the content, so that the order is still the data's own.
  const a = JSON.stringify(x.data);
  const b = JSON.stringify(y.data);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Links records into clusters, one per person. See the module comment. */
export function linkRecords(input: readonly LinkInput[], options: LinkOptions = {}): LinkResult {
  const watch = stopwatch();

  // Canonical order: by key.
  const order = input.map((_, i) => i).sort((x, y) => compareKeys(input[x] as LinkInput, input[y] as LinkInput));
  const cache = prepareCache();
  const records: ComparableRecord[] = order.map((i) => {
    const r = input[i] as LinkInput;
    return prepareRecord(r.source, r.data, r.householdKey, cache);
  });
  watch.lap('comparable');
  return linkOrdered(order, records, options, watch);
}

/** A record already in the linker's view, with its unique stable key. */
export interface PreparedInput {
  key: string;
  record: ComparableRecord;
}

/**
 * linkRecords for records already prepared (prepareRecord): what the database-backed linker
 * uses, so that it need not keep every record's data in memory. Keys must be unique.
 */
export function linkPrepared(input: readonly PreparedInput[], options: LinkOptions = {}): LinkResult {
  const order = input.map((_, i) => i).sort((x, y) => {
    const a = (input[x] as PreparedInput).key;
    const b = (input[y] as PreparedInput).key;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return linkOrdered(
    order,
    order.map((i) => (input[i] as PreparedInput).record),
    options,
    stopwatch(),
  );
}

/** The engine proper: `records` in canonical order, `order[s]` the input index of records[s]. */
function linkOrdered(order: readonly number[], records: readonly ComparableRecord[], options: LinkOptions, watch: ReturnType<typeof stopwatch>): LinkResult {
  const { timings, lap } = watch;
  const n = records.length;

  const hashesBySorted: number[][] | undefined = options.onKeyHashes ? records.map(() => []) : undefined;
  const cand = candidatePairs(records, {
    ...options.blocking,
    onValue: hashesBySorted
      ? (r, h) => {
          const list = hashesBySorted[r] as number[];
          if (!list.includes(h)) list.push(h);
        }
      : options.blocking?.onValue,
  });
  lap('blocking');
  if (hashesBySorted) {
    const keyHashes = new Array<number[]>(n);
    for (let s = 0; s < n; s++) keyHashes[order[s] as number] = hashesBySorted[s] as number[];
    // Not held while the engine goes on.
    hashesBySorted.length = 0;
    options.onKeyHashes!(keyHashes);
  }

  // Compare every candidate pair once; keep its pattern code.
  const codes = new Int32Array(cand.count);
  const patternCounts = new Float64Array(PATTERN_COUNT);
  for (let k = 0; k < cand.count; k++) {
    const code = patternCode(compareRecords(records[cand.a[k] as number] as ComparableRecord, records[cand.b[k] as number] as ComparableRecord));
    codes[k] = code;
    patternCounts[code] = (patternCounts[code] ?? 0) + 1;
  }
  lap('compare');

  const freq = options.frequencies ?? nameFrequencies(records);
  let params: ModelParameters;
  if (options.params) {
    params = options.thresholds ? { ...options.params, thresholds: { ...options.thresholds } } : options.params;
  } else {
    const seed = options.seed ?? DEFAULT_SEED;
    const u = estimateU(records, options.randomPairs ?? defaultRandomPairs(n), seed);
    lap('u');
    const patterns: number[] = [];
    const counts: number[] = [];
    for (let c = 0; c < PATTERN_COUNT; c++) {
      const count = patternCounts[c] as number;
      if (count > 0) {
        patterns.push(c);
        counts.push(count);
      }
    }
    const em = estimateM(patterns, counts, u.u, n, options.em);
    params = buildParameters(u, em, { thresholds: options.thresholds, records: n });
    lap('em');
  }
  const tables = weightTables(params);

  // Weights of every candidate pair.
  const patternWeights = new Map<number, number>();
  const weight = new Float64Array(cand.count);
  for (let k = 0; k < cand.count; k++) {
    const code = codes[k] as number;
    let w = patternWeights.get(code);
    if (w === undefined) {
      w = patternWeight(code, tables);
      patternWeights.set(code, w);
    }
    const nameLevel = levelOf(code, NAME_FIELD_INDEX);
    if (tables.tfLevels[nameLevel] === 1) {
      w += tfAdjustment(records[cand.a[k] as number] as ComparableRecord, records[cand.b[k] as number] as ComparableRecord, nameLevel, tables, freq);
    }
    weight[k] = w;
  }
  lap('score');

  // Clustering, with the pairwise constraints (scored on demand for pairs not in the candidates).
  const constraints = { ...DEFAULT_CONSTRAINTS, ...options.constraints };
  const twins = twinFlags(records);
  const evidence = (x: number, y: number): PairEvidence => {
    const a = records[x] as ComparableRecord;
    const b = records[y] as ComparableRecord;
    const code = patternCode(compareRecords(a, b));
    const nameLevel = levelOf(code, NAME_FIELD_INDEX);
    const w = patternWeight(code, tables) + tfAdjustment(a, b, nameLevel, tables, freq);
    const household = levelOf(code, HOUSEHOLD_F);
    const sameNameAndBirth = levelOf(code, NAME_FIELD_INDEX) <= NAME_SIMPLIFIED && levelOf(code, BIRTH_F) === BIRTH_EXACT;
    const id = levelOf(code, ID_F);
    const possibleTwins =
      NAME_CHAR_APART.has(levelOf(code, NAME_FIELD_INDEX)) &&
      levelOf(code, BIRTH_F) === BIRTH_EXACT &&
      (household === SAME_HOUSEHOLD || levelOf(code, ADDRESS_F) === SAME_ROOM) &&
      !ID_CONFIRMS.has(id) &&
      ((twins[x] as number) === 1 || (twins[y] as number) === 1);
    return { weight: w, idAgrees: ID_AGREES.has(id), sameHousehold: household === SAME_HOUSEHOLD, spouses: household === SPOUSE_LINK, sameNameAndBirth, possibleTwins };
  };
  const { upper, lower } = params.thresholds;
  // Decisions come in input indices; the engine works in canonical (sorted) ones.
  const sortedOf = new Int32Array(n);
  for (let s = 0; s < n; s++) sortedOf[order[s] as number] = s;
  const toSorted = (pairs: readonly (readonly [number, number])[] | undefined): [number, number][] =>
    (pairs ?? []).filter(([x, y]) => x !== y && x >= 0 && y >= 0 && x < n && y < n).map(([x, y]) => {
      const a = sortedOf[x] as number;
      const b = sortedOf[y] as number;
      return a < b ? [a, b] : [b, a];
    });
  // Sorted, so that the result does not depend on the order the decisions were read in.
  const mustLink = toSorted(options.decisions?.mustLink).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const mustNotLink = toSorted(options.decisions?.cannotLink);
  const clustered = clusterPairs(
    records,
    { count: cand.count, a: cand.a, b: cand.b, weight },
    { upper, cannotLink: defaultCannotLink(records, evidence, constraints), mustLink, mustNotLink },
  );
  lap('cluster');

  // Per record: the strongest pair holding it in its cluster.
  const cluster = clustered.cluster;
  const bestPair = new Int32Array(n).fill(-1);
  let linkedPairs = 0;
  let betweenThresholds = 0;
  for (let k = 0; k < cand.count; k++) {
    const w = weight[k] as number;
    if (w < upper) {
      if (w >= lower) betweenThresholds++;
      continue;
    }
    linkedPairs++;
    const x = cand.a[k] as number;
    const y = cand.b[k] as number;
    if (cluster[x] !== cluster[y]) continue;
    for (const r of [x, y]) {
      const best = bestPair[r] as number;
      if (best < 0 || (weight[best] as number) < w) bestPair[r] = k;
    }
  }
  const size = new Int32Array(clustered.clusterCount);
  for (let i = 0; i < n; i++) size[cluster[i] as number] = (size[cluster[i] as number] ?? 0) + 1;

  // Per record: its auditor's partner in its cluster, which outranks any scored pair (pairs sorted: the first seen is the lowest).
  const auditorPartner = new Int32Array(n).fill(-1);
  for (const [x, y] of mustLink) {
    if (cluster[x] !== cluster[y]) continue;
    if ((auditorPartner[x] as number) < 0) auditorPartner[x] = y;
    if ((auditorPartner[y] as number) < 0) auditorPartner[y] = x;
  }

  const clusters = new Array<number>(n).fill(0);
  const links: RecordLink[] = new Array<RecordLink>(n);
  for (let s = 0; s < n; s++) {
    const i = order[s] as number;
    const c = cluster[s] as number;
    clusters[i] = c;
    const best = bestPair[s] as number;
    const partner = auditorPartner[s] as number;
    if (partner >= 0) {
      links[i] = { record: i, cluster: c, probability: 1, method: 'auditor', partner: order[partner] as number };
    } else if ((size[c] as number) <= 1 || best < 0) {
      links[i] = { record: i, cluster: c, probability: 1, method: 'single' };
    } else {
      const exact = levelOf(codes[best] as number, ID_F) === ID_EXACT;
      const other = (cand.a[best] as number) === s ? (cand.b[best] as number) : (cand.a[best] as number);
      const link: RecordLink = { record: i, cluster: c, probability: probabilityOf(weight[best] as number), method: exact ? 'exact_id' : 'model', partner: order[other] as number };
      if (options.explain) {
        const score = scorePair(records[s] as ComparableRecord, records[other] as ComparableRecord, params, freq, tables);
        link.weight = score.weight;
        link.fieldWeights = score.fieldWeights;
      }
      links[i] = link;
    }
  }

  // Review: the strongest pair between two different clusters, for pairs between the
  // thresholds and for merges the constraints refused.
  const refusedReason = new Map<number, string>();
  const refusedByReason: Record<string, number> = {};
  for (const r of clustered.refused) {
    refusedReason.set(r.pair, r.reason);
    refusedByReason[r.reason] = (refusedByReason[r.reason] ?? 0) + 1;
  }
  // Two clusters an auditor told apart raise no review item: the question is answered.
  const decidedApart = new Set<number>();
  for (const [x, y] of mustNotLink) {
    const cx = cluster[x] as number;
    const cy = cluster[y] as number;
    decidedApart.add(Math.min(cx, cy) * n + Math.max(cx, cy));
  }
  const bestBetween = new Map<number, number>();
  for (let k = 0; k < cand.count; k++) {
    const w = weight[k] as number;
    if (w < lower) continue;
    const cx = cluster[cand.a[k] as number] as number;
    const cy = cluster[cand.b[k] as number] as number;
    if (cx === cy) continue;
    const key = Math.min(cx, cy) * n + Math.max(cx, cy);
    if (decidedApart.has(key)) continue;
    const prev = bestBetween.get(key);
    if (prev === undefined || (weight[prev] as number) < w) bestBetween.set(key, k);
  }
  const reviewPairs = [...bestBetween.values()].sort((x, y) => (weight[y] as number) - (weight[x] as number) || x - y).slice(0, options.maxReview ?? 100_000);
  const review: ReviewItem[] = reviewPairs.map((k) => {
    const x = cand.a[k] as number;
    const y = cand.b[k] as number;
    const s = scorePair(records[x] as ComparableRecord, records[y] as ComparableRecord, params, freq, tables);
    return {
      a: order[x] as number,
      b: order[y] as number,
      weight: s.weight,
      probability: s.probability,
      fieldWeights: s.fieldWeights,
      levels: s.levels,
      reason: refusedReason.get(k) ?? ((weight[k] as number) >= upper ? 'refused' : 'between_thresholds'),
    };
  });
  lap('output');

  return {
    clusters,
    links,
    review,
    params,
    stats: {
      records: n,
      pairsPerKey: cand.perKey,
      candidatePairs: cand.count,
      linkedPairs,
      betweenThresholds,
      refusedMerges: clustered.refused.length,
      refusedByReason,
      mustLinks: mustLink.length,
      mustLinksRefused: clustered.mustLinkRefused.length,
      cannotLinks: mustNotLink.length,
      clusters: clustered.clusterCount,
      timings,
    },
  };
}


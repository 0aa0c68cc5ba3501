/**
 * The Fellegi–Sunter model of the linkage: for every comparison level of every field an m
 * probability (the level's frequency among pairs of records of one person) and a u
 * probability (its frequency among pairs of different persons); a pair's match weight is the
 * sum over fields of log2(m / u) for the levels it shows, plus the prior log-odds.
 *
 * - u comes from RANDOM pairs of the data (seeded PRNG): almost all of them are non-matches.
 * - m comes from EM on the candidate pairs (no labels), u held fixed, in "sessions" (as
 *   Splink does): each session takes the candidate pairs that agree on some fields (same ID
 *   number; same name and birth year; same name and flat) and leaves those fields out, so
 *   that its non-matches look like random pairs on the fields it fits. (One EM over all the
 *   candidates fails: blocking makes non-matches alike — same flat, same birth date — and the
 *   latent classes become "same household or not".) Floors keep every level possible.
 * - The prior: the probability that two random records are one person, fitted by EM over all
 *   pairs of records with the non-candidates as non-matches.
 * - 'missing' levels weigh nothing: a record without a phone is no evidence either way.
 * - An equal ID number carries the birth date and sex: their disagreement then weighs nothing.
 * - Term frequency: two records agreeing on a common name (王芳) weigh less than two agreeing
 *   on a rare one: the name's weight uses the name's own frequency in the data instead of the
 *   average u of its level, within bounds.
 *
 * ModelParameters is plain JSON, to be stored with each linking run and shown by
 * `resident-hub model`. Pure: no I/O.
 */
import {
  COMPARISON_FIELDS,
  COMPARISON_LEVELS,
  compareRecords,
  type ComparableRecord,
  type ComparisonField,
  type ComparisonVector,
} from './compare.js';

// ------------------------------------------------------------------------------ level codes

/** Number of levels per field, in COMPARISON_FIELDS order. */
export const LEVEL_COUNTS: readonly number[] = COMPARISON_FIELDS.map((f) => COMPARISON_LEVELS[f].length);

/** Stride of each field in a pattern code (mixed radix over LEVEL_COUNTS). */
const STRIDES: readonly number[] = (() => {
  const out: number[] = [];
  let s = 1;
  for (const c of LEVEL_COUNTS) {
    out.push(s);
    s *= c;
  }
  return out;
})();

/** Number of distinct pattern codes. */
export const PATTERN_COUNT = LEVEL_COUNTS.reduce((a, b) => a * b, 1);

const LEVEL_INDEX: Readonly<Record<ComparisonField, ReadonlyMap<string, number>>> = Object.fromEntries(
  COMPARISON_FIELDS.map((f) => [f, new Map<string, number>(COMPARISON_LEVELS[f].map((l, i) => [l, i]))]),
) as unknown as Record<ComparisonField, ReadonlyMap<string, number>>;

export function levelIndex(field: ComparisonField, level: string): number {
  const i = LEVEL_INDEX[field].get(level);
  if (i === undefined) throw new Error(`unknown level ${field}.${level}`);
  return i;
}

/** One integer for a whole comparison vector. */
export function patternCode(v: ComparisonVector): number {
  let code = 0;
  for (let f = 0; f < COMPARISON_FIELDS.length; f++) {
    const field = COMPARISON_FIELDS[f] as ComparisonField;
    code += levelIndex(field, v[field]) * (STRIDES[f] as number);
  }
  return code;
}

/** The level index of field number f in a pattern code. */
export function levelOf(code: number, f: number): number {
  return Math.floor(code / (STRIDES[f] as number)) % (LEVEL_COUNTS[f] as number);
}

export function decodePattern(code: number): ComparisonVector {
  const out: Record<string, string> = {};
  COMPARISON_FIELDS.forEach((field, f) => {
    out[field] = COMPARISON_LEVELS[field][levelOf(code, f)] as string;
  });
  return out as unknown as ComparisonVector;
}

function isMissingLevel(f: number, level: number): boolean {
  const field = COMPARISON_FIELDS[f] as ComparisonField;
  return COMPARISON_LEVELS[field][level] === 'missing';
}

// ------------------------------------------------------------------------------ parameters

export interface LevelParameters {
  level: string;
  m: number;
  u: number;
  /** log2(m / u); 0 for 'missing'. */
  weight: number;
}

export interface TermFrequencySettings {
  /** The name levels whose weight uses the name's own frequency. */
  levels: string[];
  /** Records the frequencies were counted on. */
  records: number;
  /** Bounds of the adjustment, in bits: a rare name gains at most maxUp, a common one loses at most maxDown. */
  maxUp: number;
  maxDown: number;
}

export interface ModelParameters {
  version: 1;
  fields: Record<ComparisonField, LevelParameters[]>;
  /** Probability that two records drawn at random are one person (EM). */
  lambda: number;
  /** log2(lambda / (1 - lambda)), added to every pair's weight. */
  priorWeight: number;
  /** On the total weight (prior included): ≥ upper links automatically, ≥ lower goes to review. */
  thresholds: { upper: number; lower: number };
  termFrequency: TermFrequencySettings;
  /**
   * The birth date and sex an ID number carries: when the two numbers are equal (these ID
   * levels), a disagreement on the birth-date and sex fields weighs nothing (an agreement
   * still counts) — a birth date typed wrong next to a right ID number is not evidence of
   * two persons.
   */
  impliedByIdNumber: { idLevels: string[]; fields: ComparisonField[] };
  em: { sessions: EmSessionResult[]; pairs: number; patterns: number; priorIterations: number; priorConverged: boolean };
  u: { randomPairs: number; seed: number };
}

/** Name frequencies of the data, for the term-frequency adjustment (not stored: it is the data). */
export interface NameFrequencies {
  records: number;
  byName: ReadonlyMap<string, number>;
  byPinyin: ReadonlyMap<string, number>;
}

export function nameFrequencies(records: readonly ComparableRecord[]): NameFrequencies {
  const byName = new Map<string, number>();
  const byPinyin = new Map<string, number>();
  for (const r of records) {
    if (r.nameMatch !== null) byName.set(r.nameMatch, (byName.get(r.nameMatch) ?? 0) + 1);
    if (r.namePinyin !== null) byPinyin.set(r.namePinyin, (byPinyin.get(r.namePinyin) ?? 0) + 1);
  }
  return { records: records.length, byName, byPinyin };
}

// ------------------------------------------------------------------------------ PRNG

/** Seeded 32-bit PRNG (mulberry32): the model must be reproducible, never Math.random. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ------------------------------------------------------------------------------ u from random pairs

export interface UEstimate {
  /** u[f][level] */
  u: number[][];
  pairs: number;
  seed: number;
}

/**
 * u probabilities from `pairs` random pairs of distinct records. A level never seen gets
 * half a count, so that its weight stays finite.
 */
export function estimateU(records: readonly ComparableRecord[], pairs: number, seed: number): UEstimate {
  const n = records.length;
  const counts = LEVEL_COUNTS.map((c) => new Float64Array(c));
  const random = mulberry32(seed);
  let done = 0;
  if (n >= 2) {
    for (let k = 0; k < pairs; k++) {
      const i = Math.floor(random() * n);
      let j = Math.floor(random() * (n - 1));
      if (j >= i) j++;
      const code = patternCode(compareRecords(records[i] as ComparableRecord, records[j] as ComparableRecord));
      for (let f = 0; f < counts.length; f++) {
        const c = counts[f] as Float64Array;
        const l = levelOf(code, f);
        c[l] = (c[l] ?? 0) + 1;
      }
      done++;
    }
  }
  const u = counts.map((c, f) => {
    const out = new Array<number>(c.length).fill(0);
    let total = 0;
    for (let l = 0; l < c.length; l++) if (!isMissingLevel(f, l)) total += (c[l] ?? 0) + 0.5;
    for (let l = 0; l < c.length; l++) {
      out[l] = isMissingLevel(f, l) ? 1 : total > 0 ? ((c[l] ?? 0) + 0.5) / total : 1 / c.length;
    }
    return out;
  });
  return { u, pairs: done, seed };
}

// ------------------------------------------------------------------------------ EM for m

/**
 * Starting m probabilities: what a match usually looks like. EM moves them; they only have
 * to put the match class on the right side.
 */
export const STARTING_M: Readonly<Record<ComparisonField, Readonly<Record<string, number>>>> = {
  name: { exact: 0.85, simplified: 0.03, former_name: 0.02, pinyin: 0.03, one_char: 0.02, dropped_char: 0.01, surname_only: 0.02, different: 0.02 },
  idNumber: { exact: 0.9, one_digit: 0.02, transposed: 0.01, check_char: 0.01, lost_digits_agree: 0.04, lost_digits_disagree: 0.005, different_valid: 0.001, different: 0.01 },
  birthDate: { exact: 0.9, day_month_swapped: 0.01, one_day: 0.005, same_year_month: 0.005, same_year: 0.01, age_compatible: 0.05, age_off_by_one: 0.01, different: 0.01 },
  sex: { same: 0.99, different: 0.01 },
  phone: { same: 0.6, same_last_8: 0.05, different: 0.35 },
  address: { same_room: 0.6, same_building: 0.05, same_estate: 0.05, same_community: 0.1, different: 0.2 },
  household: { same_household: 0.001, spouse_link: 0.001, none: 0.998 },
};

/** No m probability goes below this: nothing is impossible for a match (a typo can hit any field). */
export const M_FLOOR = 1e-4;
/** Nor any u below this: weights stay finite whatever u the caller gives. */
export const U_FLOOR = 1e-9;

/**
 * One EM "session": the candidate pairs that agree on some fields (a blocking rule), with
 * those fields left out of the likelihood. Within such a subset the non-matches agree on
 * the rule's fields by construction, and look like random pairs on the others — which is
 * what the random-pair u says of them. Several sessions with different rules together give
 * m for every field.
 */
export interface EmSession {
  name: string;
  /** The levels a pair must show to take part, per field (fields not named: any level). */
  rule: Partial<Record<ComparisonField, readonly string[]>>;
}

export const DEFAULT_EM_SESSIONS: readonly EmSession[] = [
  // The same ID number: m of name, birth date, sex, phone, address, household.
  { name: 'same_id', rule: { idNumber: ['exact'] } },
  // Same name (as written, simplified or homophone) and birth year: m of the ID number too.
  {
    name: 'same_name_year',
    rule: {
      name: ['exact', 'simplified', 'pinyin'],
      birthDate: ['exact', 'day_month_swapped', 'one_day', 'same_year_month', 'same_year', 'age_compatible'],
    },
  },
  // Same name in the same flat: m of the birth date where it is only an age, of the ID number.
  { name: 'same_name_room', rule: { name: ['exact', 'simplified', 'pinyin'], address: ['same_room'] } },
];

export interface EmOptions {
  maxIterations?: number;
  /** Stop when no m (nor lambda) moves more than this. */
  tolerance?: number;
  sessions?: readonly EmSession[];
}

export interface EmSessionResult {
  name: string;
  /** Fields left out (the rule's). */
  fixed: ComparisonField[];
  pairs: number;
  /** Share of matches among the session's pairs. */
  lambda: number;
  iterations: number;
  converged: boolean;
  logLikelihood: number;
}

export interface EmResult {
  m: number[][];
  /** Probability that two records drawn at random are one person (the prior). */
  lambda: number;
  sessions: EmSessionResult[];
  /** Candidate pairs / distinct patterns the model saw. */
  pairs: number;
  patterns: number;
  /** Iterations of the prior's fit. */
  iterations: number;
  converged: boolean;
}

interface EmRun {
  m: number[][];
  lambda: number;
  iterations: number;
  converged: boolean;
  logLikelihood: number;
}

/**
 * Two-class EM with u fixed: fits lambda and the m of the `free` fields on pattern counts.
 * levels[k * F + f] is pattern k's level of field f.
 */
function runEm(levels: Int32Array, counts: ArrayLike<number>, u: readonly (readonly number[])[], free: readonly boolean[], startM: number[][], maxIterations: number, tolerance: number): EmRun {
  const F = LEVEL_COUNTS.length;
  const P = counts.length;
  let m = startM.map((row) => row.slice());
  let total = 0;
  for (let k = 0; k < P; k++) total += counts[k] as number;
  const uProduct = new Float64Array(P);
  for (let k = 0; k < P; k++) {
    let p = 1;
    for (let f = 0; f < F; f++) {
      const l = levels[k * F + f] as number;
      if (free[f] && !isMissingLevel(f, l)) p *= Math.max((u[f] as readonly number[])[l] as number, U_FLOOR);
    }
    uProduct[k] = p;
  }
  let lambda = 0.5;
  let iterations = 0;
  let converged = false;
  let logLikelihood = 0;
  while (iterations < maxIterations && total > 0) {
    iterations++;
    logLikelihood = 0;
    let matched = 0;
    const next = LEVEL_COUNTS.map((c) => new Array<number>(c).fill(0));
    for (let k = 0; k < P; k++) {
      let pm = 1;
      for (let f = 0; f < F; f++) {
        const l = levels[k * F + f] as number;
        if (free[f] && !isMissingLevel(f, l)) pm *= (m[f] as number[])[l] as number;
      }
      const a = lambda * pm;
      const b = (1 - lambda) * (uProduct[k] as number);
      const sum = a + b;
      const c = counts[k] as number;
      const w = sum > 0 ? (a / sum) * c : 0;
      matched += w;
      if (sum > 0) logLikelihood += c * Math.log(sum);
      for (let f = 0; f < F; f++) {
        const l = levels[k * F + f] as number;
        (next[f] as number[])[l] = ((next[f] as number[])[l] as number) + w;
      }
    }
    const nextM = next.map((row, f) => (free[f] ? normalise(row, f) : (m[f] as number[])));
    const nextLambda = Math.min(Math.max(matched / total, 1e-12), 1 - 1e-12);
    let change = Math.abs(nextLambda - lambda);
    for (let f = 0; f < F; f++) {
      if (!free[f]) continue;
      for (let l = 0; l < (LEVEL_COUNTS[f] as number); l++) {
        change = Math.max(change, Math.abs(((nextM[f] as number[])[l] as number) - ((m[f] as number[])[l] as number)));
      }
    }
    m = nextM;
    lambda = nextLambda;
    if (change < tolerance) {
      converged = true;
      break;
    }
  }
  return { m, lambda, iterations, converged, logLikelihood };
}

export function startingM(): number[][] {
  return COMPARISON_FIELDS.map((field, f) => {
    const start = STARTING_M[field];
    const out = new Array<number>(LEVEL_COUNTS[f] as number).fill(0);
    COMPARISON_LEVELS[field].forEach((level, l) => {
      out[l] = level === 'missing' ? 1 : Math.max(start[level] ?? M_FLOOR, M_FLOOR);
    });
    return normalise(out, f);
  });
}

/**
 * m by EM on the candidate pairs' pattern counts (patterns[k] a pattern code, counts[k] how
 * many candidate pairs show it), u fixed from random pairs: one EM per session, each field's
 * m the mean over the sessions that leave it free. Then the prior: the probability that two
 * random records match, fitted on all the candidate pairs with every other pair of the
 * `records` taken as a non-match.
 */
export function estimateM(patterns: ArrayLike<number>, counts: ArrayLike<number>, u: readonly (readonly number[])[], records: number, options: EmOptions = {}): EmResult {
  const maxIterations = options.maxIterations ?? 500;
  const tolerance = options.tolerance ?? 1e-7;
  const sessions = options.sessions ?? DEFAULT_EM_SESSIONS;
  const F = LEVEL_COUNTS.length;
  const P = patterns.length;
  const levels = new Int32Array(P * F);
  let totalPairs = 0;
  for (let k = 0; k < P; k++) {
    for (let f = 0; f < F; f++) levels[k * F + f] = levelOf(patterns[k] as number, f);
    totalPairs += counts[k] as number;
  }
  const start = startingM();
  const sums = LEVEL_COUNTS.map((c) => new Array<number>(c).fill(0));
  const used = new Array<number>(F).fill(0);
  const sessionResults: EmSessionResult[] = [];
  for (const session of sessions) {
    const allowed = COMPARISON_FIELDS.map((field) => {
      const levelsAllowed = session.rule[field];
      return levelsAllowed === undefined ? null : new Set(levelsAllowed.map((l) => levelIndex(field, l)));
    });
    const free = allowed.map((a) => a === null);
    const sessionCounts = new Float64Array(P);
    let pairs = 0;
    for (let k = 0; k < P; k++) {
      let ok = true;
      for (let f = 0; f < F && ok; f++) {
        const a = allowed[f];
        if (a !== null && a !== undefined && !a.has(levels[k * F + f] as number)) ok = false;
      }
      if (ok) {
        sessionCounts[k] = counts[k] as number;
        pairs += counts[k] as number;
      }
    }
    const run = runEm(levels, sessionCounts, u, free, start, maxIterations, tolerance);
    sessionResults.push({
      name: session.name,
      fixed: COMPARISON_FIELDS.filter((_, f) => !free[f]),
      pairs,
      lambda: run.lambda,
      iterations: run.iterations,
      converged: run.converged,
      logLikelihood: run.logLikelihood,
    });
    if (pairs === 0) continue;
    for (let f = 0; f < F; f++) {
      if (!free[f]) continue;
      used[f] = (used[f] as number) + 1;
      const row = run.m[f] as number[];
      for (let l = 0; l < row.length; l++) (sums[f] as number[])[l] = ((sums[f] as number[])[l] as number) + (row[l] as number);
    }
  }
  const m = sums.map((row, f) => ((used[f] as number) > 0 ? normalise(row.map((v) => v / (used[f] as number)), f) : (start[f] as number[])));

  // The prior: EM on lambda alone over all pairs of records, the non-candidates as non-matches.
  const allPairs = (records * (records - 1)) / 2;
  const ratio = new Float64Array(P); // m product / u product
  for (let k = 0; k < P; k++) {
    let r = 1;
    for (let f = 0; f < F; f++) {
      const l = levels[k * F + f] as number;
      if (!isMissingLevel(f, l)) r *= ((m[f] as number[])[l] as number) / Math.max((u[f] as readonly number[])[l] as number, U_FLOOR);
    }
    ratio[k] = r;
  }
  let lambda = allPairs > 0 ? Math.min(totalPairs / allPairs, 0.5) : 0.5;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && allPairs > 0) {
    iterations++;
    let matched = 0;
    const odds = lambda / (1 - lambda);
    for (let k = 0; k < P; k++) {
      const o = odds * (ratio[k] as number);
      matched += (counts[k] as number) * (o / (1 + o));
    }
    const next = Math.min(Math.max(matched / allPairs, 1e-15), 0.5);
    const change = Math.abs(Math.log(next) - Math.log(lambda));
    lambda = next;
    if (change < 1e-9) {
      converged = true;
      break;
    }
  }
  return { m, lambda, sessions: sessionResults, pairs: totalPairs, patterns: P, iterations, converged };
}

/** Probabilities over the non-missing levels summing to 1, each at least M_FLOOR; 'missing' = 1. */
function normalise(row: number[], f: number): number[] {
  let total = 0;
  for (let l = 0; l < row.length; l++) if (!isMissingLevel(f, l)) total += row[l] as number;
  const out = row.map((v, l) => (isMissingLevel(f, l) ? 1 : Math.max(total > 0 ? v / total : 0, M_FLOOR)));
  let again = 0;
  for (let l = 0; l < out.length; l++) if (!isMissingLevel(f, l)) again += out[l] as number;
  return out.map((v, l) => (isMissingLevel(f, l) ? 1 : v / again));
}

// ------------------------------------------------------------------------------ parameters and scoring

export const DEFAULT_THRESHOLDS = { upper: 12, lower: 2 } as const;
export const DEFAULT_TF: Omit<TermFrequencySettings, 'records'> = { levels: ['exact', 'simplified', 'former_name', 'pinyin'], maxUp: 3, maxDown: 8 };

export function buildParameters(
  u: UEstimate,
  em: EmResult,
  options: { thresholds?: { upper: number; lower: number }; records: number; tf?: Partial<Omit<TermFrequencySettings, 'records'>> },
): ModelParameters {
  const fields = {} as Record<ComparisonField, LevelParameters[]>;
  COMPARISON_FIELDS.forEach((field, f) => {
    fields[field] = COMPARISON_LEVELS[field].map((level, l) => {
      const missing = level === 'missing';
      const m = missing ? 1 : ((em.m[f] as number[])[l] as number);
      const uu = missing ? 1 : Math.max((u.u[f] as number[])[l] as number, U_FLOOR);
      return { level, m, u: uu, weight: missing ? 0 : Math.log2(m / uu) };
    });
  });
  return {
    version: 1,
    fields,
    lambda: em.lambda,
    priorWeight: Math.log2(em.lambda / (1 - em.lambda)),
    thresholds: { ...(options.thresholds ?? DEFAULT_THRESHOLDS) },
    termFrequency: { ...DEFAULT_TF, ...options.tf, levels: [...(options.tf?.levels ?? DEFAULT_TF.levels)], records: options.records },
    impliedByIdNumber: { idLevels: ['exact', 'one_digit', 'transposed'], fields: ['birthDate', 'sex'] },
    em: { sessions: em.sessions, pairs: em.pairs, patterns: em.patterns, priorIterations: em.iterations, priorConverged: em.converged },
    u: { randomPairs: u.pairs, seed: u.seed },
  };
}

/** Fast lookup tables of a ModelParameters: weights[f][level]. */
export interface WeightTables {
  weights: Float64Array[];
  /** u of each name level (for the term-frequency adjustment). */
  nameU: Float64Array;
  tfLevels: Uint8Array;
  prior: number;
  maxUp: number;
  maxDown: number;
  /** 1 / records of the frequencies: u of a name seen once. */
  records: number;
  /** Per ID level: 1 when it implies the fields in `implied`. */
  idImplies: Uint8Array;
  /** Per field: 1 when an implying ID level zeroes it. */
  implied: Uint8Array;
}

const NAME_F = COMPARISON_FIELDS.indexOf('name');

export function weightTables(params: ModelParameters): WeightTables {
  const weights = COMPARISON_FIELDS.map((field) => Float64Array.from(params.fields[field].map((l) => l.weight)));
  const nameLevels = COMPARISON_LEVELS.name;
  const tfLevels = new Uint8Array(nameLevels.length);
  for (const level of params.termFrequency.levels) {
    const i = nameLevels.indexOf(level as (typeof nameLevels)[number]);
    if (i >= 0) tfLevels[i] = 1;
  }
  const idImplies = new Uint8Array(COMPARISON_LEVELS.idNumber.length);
  const implied = new Uint8Array(COMPARISON_FIELDS.length);
  for (const level of params.impliedByIdNumber?.idLevels ?? []) {
    const i = COMPARISON_LEVELS.idNumber.indexOf(level as (typeof COMPARISON_LEVELS.idNumber)[number]);
    if (i >= 0) idImplies[i] = 1;
  }
  for (const field of params.impliedByIdNumber?.fields ?? []) {
    const f = COMPARISON_FIELDS.indexOf(field);
    if (f >= 0) implied[f] = 1;
  }
  return {
    idImplies,
    implied,
    weights,
    nameU: Float64Array.from(params.fields.name.map((l) => l.u)),
    tfLevels,
    prior: params.priorWeight,
    maxUp: params.termFrequency.maxUp,
    maxDown: params.termFrequency.maxDown,
    records: params.termFrequency.records,
  };
}

/**
 * The term-frequency adjustment of a name agreement, in bits: log2(u_level / u_name) where
 * u_name is the share of records bearing that name, bounded by maxUp and maxDown.
 */
export function tfAdjustment(a: ComparableRecord, b: ComparableRecord, nameLevel: number, tables: WeightTables, freq: NameFrequencies | undefined): number {
  if (freq === undefined || tables.tfLevels[nameLevel] !== 1 || freq.records === 0) return 0;
  const level = COMPARISON_LEVELS.name[nameLevel];
  let count: number | undefined;
  if (level === 'pinyin') {
    count = a.namePinyin !== null ? freq.byPinyin.get(a.namePinyin) : undefined;
  } else if (level === 'former_name') {
    // The name the two share: one side's name is the other's former name.
    const shared = a.formerNameMatch === b.nameMatch ? b.nameMatch : a.nameMatch;
    count = shared !== null ? freq.byName.get(shared) : undefined;
  } else {
    const x = a.nameMatch !== null ? freq.byName.get(a.nameMatch) : undefined;
    const y = b.nameMatch !== null ? freq.byName.get(b.nameMatch) : undefined;
    count = x !== undefined && y !== undefined ? Math.max(x, y) : (x ?? y);
  }
  if (count === undefined || count <= 0) return 0;
  const uName = count / freq.records;
  const adj = Math.log2((tables.nameU[nameLevel] as number) / uName);
  return Math.min(Math.max(adj, -tables.maxDown), tables.maxUp);
}

export function probabilityOf(weight: number): number {
  if (weight > 60) return 1;
  if (weight < -60) return 0;
  const odds = 2 ** weight;
  return odds / (1 + odds);
}

export interface PairScore {
  /** Total match weight in bits: prior + field weights (the name's with its TF adjustment). */
  weight: number;
  probability: number;
  fieldWeights: Record<ComparisonField, number>;
  /** Of which the name's term-frequency adjustment. */
  tfAdjustment: number;
  levels: ComparisonVector;
}

/** Scores one pair, with the per-field weights that explain the score. */
export function scorePair(a: ComparableRecord, b: ComparableRecord, params: ModelParameters, freq?: NameFrequencies, tables: WeightTables = weightTables(params)): PairScore {
  const levels = compareRecords(a, b);
  const code = patternCode(levels);
  const fieldWeights = {} as Record<ComparisonField, number>;
  let weight = tables.prior;
  let tf = 0;
  COMPARISON_FIELDS.forEach((field, f) => {
    const l = levelOf(code, f);
    let w = fieldWeight(code, f, tables);
    if (f === NAME_F) {
      tf = tfAdjustment(a, b, l, tables, freq);
      w += tf;
    }
    fieldWeights[field] = w;
    weight += w;
  });
  return { weight, probability: probabilityOf(weight), fieldWeights, tfAdjustment: tf, levels };
}

/** The weight of a pattern code, without the TF adjustment (for the engine's bulk scoring). */
export function patternWeight(code: number, tables: WeightTables): number {
  let w = tables.prior;
  for (let f = 0; f < tables.weights.length; f++) w += fieldWeight(code, f, tables);
  return w;
}

const ID_F = COMPARISON_FIELDS.indexOf('idNumber');

/** Field f's weight in a pattern; not below 0 when an agreeing ID number implies the field. */
export function fieldWeight(code: number, f: number, tables: WeightTables): number {
  const w = (tables.weights[f] as Float64Array)[levelOf(code, f)] as number;
  if (w < 0 && tables.implied[f] === 1 && tables.idImplies[levelOf(code, ID_F)] === 1) return 0;
  return w;
}

export { NAME_F as NAME_FIELD_INDEX };

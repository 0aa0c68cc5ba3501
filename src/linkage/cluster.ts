/**
 * Clustering of scored pairs into residents, without chaining.
 *
 * An auditor's decisions come first: pairs said to be one person are united before any scored
 * pair, whatever the rules below say; pairs said to be two persons are never in one cluster
 * (a merge that would join them is refused, 'auditor_non_match', like any other constraint).
 *
 * Pairs at or above the upper threshold are merged in decreasing weight order with a
 * union–find; a merge is refused when it would put into one cluster two records that must
 * be two persons:
 * - two different usable (valid) ID numbers: every cluster keeps its usable ID number, and
 *   two clusters with different ones never merge (a typo of a valid number is not valid —
 *   MOD 11-2 catches every wrong digit and adjacent swap — so a typo never blocks a merge);
 * - any pair across the two clusters that the `cannotLink` rule rejects: by default two
 *   records of the same source that are not the same ID number and a very strong pair
 *   (twins and siblings of one household, a parent and child of one name), possible twins
 *   (one home, one birth date, names a character apart, no ID number confirming), spouses,
 *   birth years far apart (a parent and child of one name), or a pair whose own weight is
 *   strongly negative.
 * Thus A–B and B–C strong but A–C impossible leaves C out of A's cluster, whatever the order.
 *
 * Pure: indices in, cluster ids out. Deterministic for given indices and weights.
 */
import type { ComparableRecord } from './compare.js';
import { birthYears, roomKeys } from './blocking.js';

export interface ScoredPairs {
  count: number;
  a: Int32Array;
  b: Int32Array;
  weight: Float64Array;
}

/** Why a merge was refused; null: allowed. */
export type CannotLink = (x: number, y: number) => string | null;

export interface ClusterOptions {
  /** Pairs at or above this weight are merged (subject to the constraints). */
  upper: number;
  /** Pairwise rule between members of the two clusters; default: none beyond the ID numbers. */
  cannotLink?: CannotLink;
  /** Record pairs an auditor said are one person: united first, overriding every rule. */
  mustLink?: readonly (readonly [number, number])[];
  /** Record pairs an auditor said are two persons: no cluster ever holds both (this outranks mustLink). */
  mustNotLink?: readonly (readonly [number, number])[];
}

export interface ClusterResult {
  /** Cluster id of every record, 0 … clusterCount − 1, numbered by each cluster's lowest record index. */
  cluster: Int32Array;
  clusterCount: number;
  /** Pair indices (into the input pairs) refused, with the reason. */
  refused: { pair: number; reason: string }[];
  /** Pair indices that merged two clusters, in merge order. */
  merged: Int32Array;
  /** mustLink pairs not united because the union would have joined an auditor's non-match. */
  mustLinkRefused: (readonly [number, number])[];
}

/** Pair indices at or above `min`, by decreasing weight, ties by pair index. */
export function pairsByWeight(pairs: ScoredPairs, min: number): Int32Array {
  let n = 0;
  for (let k = 0; k < pairs.count; k++) if ((pairs.weight[k] as number) >= min) n++;
  const order = new Int32Array(n);
  let p = 0;
  for (let k = 0; k < pairs.count; k++) if ((pairs.weight[k] as number) >= min) order[p++] = k;
  const w = pairs.weight;
  order.sort((x, y) => (w[y] as number) - (w[x] as number) || x - y);
  return order;
}

/**
 * Merges the pairs at or above the upper threshold, strongest first, refusing merges that
 * would join two records that cannot be one person. `records` supplies the usable ID numbers.
 */
export function clusterPairs(records: readonly ComparableRecord[], pairs: ScoredPairs, options: ClusterOptions): ClusterResult {
  const n = records.length;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const members: (number[] | null)[] = new Array<number[] | null>(n);
  // The one usable ID number of each cluster (the invariant: never two different ones).
  const clusterId: (string | null)[] = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    members[i] = [i];
    const r = records[i] as ComparableRecord;
    clusterId[i] = r.idKind === 'usable' ? r.idNumber : null;
  }
  const find = (x: number): number => {
    let root = x;
    while (parent[root] !== root) root = parent[root] as number;
    while (parent[x] !== root) {
      const next = parent[x] as number;
      parent[x] = root;
      x = next;
    }
    return root;
  };

  // Union: the larger cluster absorbs the smaller (ties: the lower root).
  const union = (rx: number, ry: number): void => {
    const mx = members[rx] as number[];
    const my = members[ry] as number[];
    const [big, small] = mx.length > my.length || (mx.length === my.length && rx < ry) ? [rx, ry] : [ry, rx];
    parent[small] = big;
    for (const x of members[small] as number[]) (members[big] as number[]).push(x);
    members[small] = null;
    clusterId[big] = clusterId[big] ?? clusterId[small] ?? null;
  };

  // Each record's auditor non-matches, both ways.
  const apart = new Map<number, number[]>();
  for (const [x, y] of options.mustNotLink ?? []) {
    for (const [p, q] of [[x, y], [y, x]] as const) {
      const list = apart.get(p);
      if (list === undefined) apart.set(p, [q]);
      else list.push(q);
    }
  }
  // Whether clusters rx and ry hold an auditor's non-match: the smaller side's partners looked up.
  const separated = (rx: number, ry: number): boolean => {
    if (apart.size === 0) return false;
    const mx = members[rx] as number[];
    const my = members[ry] as number[];
    const [side, other] = mx.length <= my.length ? [mx, ry] : [my, rx];
    for (const x of side) {
      const list = apart.get(x);
      if (list !== undefined) for (const y of list) if (find(y) === other) return true;
    }
    return false;
  };

  const mustLinkRefused: (readonly [number, number])[] = [];
  for (const pair of options.mustLink ?? []) {
    const rx = find(pair[0]);
    const ry = find(pair[1]);
    if (rx === ry) continue;
    if (separated(rx, ry)) {
      mustLinkRefused.push(pair);
      continue;
    }
    // The auditor overrides the rules, the ID-number check included: the cluster keeps one of the numbers.
    union(rx, ry);
  }

  const cannotLink = options.cannotLink;
  const order = pairsByWeight(pairs, options.upper);
  const refused: { pair: number; reason: string }[] = [];
  const merged: number[] = [];
  for (let o = 0; o < order.length; o++) {
    const k = order[o] as number;
    const rx = find(pairs.a[k] as number);
    const ry = find(pairs.b[k] as number);
    if (rx === ry) continue;
    if (separated(rx, ry)) {
      refused.push({ pair: k, reason: 'auditor_non_match' });
      continue;
    }
    const idX = clusterId[rx] ?? null;
    const idY = clusterId[ry] ?? null;
    if (idX !== null && idY !== null && idX !== idY) {
      refused.push({ pair: k, reason: 'different_id_numbers' });
      continue;
    }
    const mx = members[rx] as number[];
    const my = members[ry] as number[];
    let reason: string | null = null;
    if (cannotLink !== undefined) {
      outer: for (const x of mx) {
        for (const y of my) {
          reason = cannotLink(x, y);
          if (reason !== null) break outer;
        }
      }
    }
    if (reason !== null) {
      refused.push({ pair: k, reason });
      continue;
    }
    union(rx, ry);
    merged.push(k);
  }

  const cluster = new Int32Array(n);
  const rootCluster = new Int32Array(n).fill(-1);
  let clusterCount = 0;
  for (let i = 0; i < n; i++) {
    const root = find(i);
    let c = rootCluster[root] as number;
    if (c < 0) {
      c = clusterCount++;
      rootCluster[root] = c;
    }
    cluster[i] = c;
  }
  return { cluster, clusterCount, refused, merged: Int32Array.from(merged), mustLinkRefused };
}

// ------------------------------------------------------------------------------ default constraints

export interface ConstraintOptions {
  /**
   * Two records of one source stay apart unless they have the same usable ID number, or the
   * same name and birth date and a pair weighing at least this (and not one household's).
   */
  sameSourceWeight: number;
  /** Any pair across the merge weighing less than this vetoes it. */
  vetoWeight: number;
  /** Birth years at least this far apart (and the ID numbers not agreeing) are two persons. */
  birthYearGap: number;
}

export const DEFAULT_CONSTRAINTS: ConstraintOptions = { sameSourceWeight: 40, vetoWeight: -12, birthYearGap: 3 };

/** What the constraints need to know of a pair. */
export interface PairEvidence {
  weight: number;
  /** The pair's ID numbers agree (exact, or one is a typo or a damaged form of the other). */
  idAgrees: boolean;
  sameHousehold: boolean;
  /** One's spouse ID number is the other's ID number. */
  spouses: boolean;
  /** Name equal (as written or simplified) and birth date equal: what a duplicate within one source looks like. */
  sameNameAndBirth: boolean;
  /**
   * What twins look like: one home (household or flat), one birth date, names a character
   * apart, no ID number saying they are one person — and one of the two records has a
   * sibling in its own source born the same day at the same home (see twinFlags).
   */
  possibleTwins: boolean;
}

/** The smallest distance between the birth years two records allow; Infinity when unknown. */
export function birthYearDistance(x: ComparableRecord, y: ComparableRecord): number {
  const ys = birthYears(x);
  const zs = birthYears(y);
  let best = Infinity;
  for (const a of ys) for (const b of zs) best = Math.min(best, Math.abs(a - b));
  return best;
}

/**
 * The default cannot-link rule: records of one source only as the same usable ID number or
 * a very strong pair outside one household; birth years far apart only with agreeing ID
 * numbers; no strongly negative pair.
 */
export function defaultCannotLink(records: readonly ComparableRecord[], evidence: (x: number, y: number) => PairEvidence, options: ConstraintOptions = DEFAULT_CONSTRAINTS): CannotLink {
  return (x, y) => {
    const a = records[x] as ComparableRecord;
    const b = records[y] as ComparableRecord;
    if (a.idKind === 'usable' && b.idKind === 'usable') {
      if (a.idNumber !== b.idNumber) return 'different_id_numbers';
    }
    const sameId = a.idKind === 'usable' && b.idKind === 'usable' && a.idNumber === b.idNumber;
    const e = evidence(x, y);
    if (e.spouses) return 'spouses';
    if (e.possibleTwins) return 'possible_twins';
    if (a.source === b.source && !sameId) {
      if (e.sameHousehold) return 'same_source_household';
      if (e.weight < options.sameSourceWeight || !e.sameNameAndBirth) return 'same_source';
    }
    const gap = birthYearDistance(a, b);
    if (!e.idAgrees && Number.isFinite(gap) && gap >= options.birthYearGap) return 'birth_years_apart';
    if (e.weight < options.vetoWeight) return 'negative_pair';
    return null;
  };
}

/**
 * Records with a twin in their own source: another record of the same source, born the same
 * day, at the same home (household number or flat), under another name. Two records of one
 * source are two persons, so this is the data's own evidence of twins (or triplets); a pair
 * that looks like those twins across sources is kept apart unless an ID number says otherwise.
 */
export function twinFlags(records: readonly ComparableRecord[]): Uint8Array {
  const flags = new Uint8Array(records.length);
  const groups = new Map<string, number[]>();
  records.forEach((r, i) => {
    if (r.birthDate === null || r.nameMatch === null) return;
    const homes = roomKeys(r);
    if (r.householdKey !== null) homes.push(`h|${r.householdKey}`);
    for (const home of homes) {
      const key = `${r.source}|${r.birthDate}|${home}`;
      const list = groups.get(key);
      if (list === undefined) groups.set(key, [i]);
      else list.push(i);
    }
  });
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    for (const i of list) {
      const name = (records[i] as ComparableRecord).nameMatch;
      if (list.some((j) => (records[j] as ComparableRecord).nameMatch !== name)) flags[i] = 1;
    }
  }
  return flags;
}

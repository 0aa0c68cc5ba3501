/**
 * Stable resident identity: maps the clusters of a link run onto the residents the records
 * already belong to, so that a resident keeps its id across runs and re-imports.
 *
 * Each cluster takes the existing resident that holds most of its records (ties: the older,
 * i.e. lower, id); each resident goes to one cluster at most, the strongest overlaps served
 * first. A resident left without a cluster — its records all went to clusters taken by other
 * residents — is merged into the resident that took most of them: the survivor keeps its id
 * and the other redirects to it. A cluster left without a resident is a new resident.
 *
 * Pure: no I/O. Deterministic for given inputs.
 */

export interface ReconcileInput {
  /** Per record: the resident it is linked to now, or null for a record not yet linked. */
  current: readonly (string | null)[];
  /** Per record: its cluster in this run (0 … clusters − 1). */
  cluster: ArrayLike<number>;
  /** Per record: its stable key, to number new residents in an order of the data's own. */
  keys: readonly string[];
}

export interface ResidentMerge {
  from: string;
  into: string;
}

export interface ReconcileResult {
  /** Per cluster: the existing resident it continues, or null for a new resident. */
  residentOfCluster: (string | null)[];
  /** Clusters that are new residents, in the order their ids should be allocated. */
  newClusters: number[];
  /** Residents merged away, each into its survivor. */
  merges: ResidentMerge[];
}

/** Numeric order of bigint ids written as decimal text. */
export function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

export function reconcileClusters(input: ReconcileInput): ReconcileResult {
  const n = input.current.length;
  let clusters = 0;
  for (let i = 0; i < n; i++) clusters = Math.max(clusters, (input.cluster[i] as number) + 1);

  // Overlaps: (resident, cluster) → records in both.
  const overlap = new Map<string, Map<number, number>>();
  for (let i = 0; i < n; i++) {
    const resident = input.current[i];
    if (resident === null || resident === undefined) continue;
    const c = input.cluster[i] as number;
    let byCluster = overlap.get(resident);
    if (byCluster === undefined) {
      byCluster = new Map();
      overlap.set(resident, byCluster);
    }
    byCluster.set(c, (byCluster.get(c) ?? 0) + 1);
  }
  const candidates: { resident: string; cluster: number; count: number }[] = [];
  for (const [resident, byCluster] of overlap) for (const [cluster, count] of byCluster) candidates.push({ resident, cluster, count });
  candidates.sort((x, y) => y.count - x.count || compareIds(x.resident, y.resident) || x.cluster - y.cluster);

  const residentOfCluster: (string | null)[] = new Array<string | null>(clusters).fill(null);
  const assigned = new Set<string>();
  for (const { resident, cluster } of candidates) {
    if (assigned.has(resident) || residentOfCluster[cluster] !== null) continue;
    residentOfCluster[cluster] = resident;
    assigned.add(resident);
  }

  const merges: ResidentMerge[] = [];
  for (const [resident, byCluster] of [...overlap].sort((x, y) => compareIds(x[0], y[0]))) {
    if (assigned.has(resident)) continue;
    // Every cluster holding its records went to another resident: merge into the one holding most.
    let best: { into: string; count: number } | null = null;
    for (const [cluster, count] of byCluster) {
      const into = residentOfCluster[cluster] as string;
      if (best === null || count > best.count || (count === best.count && compareIds(into, best.into) < 0)) best = { into, count };
    }
    if (best !== null) merges.push({ from: resident, into: best.into });
  }

  // New residents numbered by their smallest record key.
  const smallestKey: (string | null)[] = new Array<string | null>(clusters).fill(null);
  for (let i = 0; i < n; i++) {
    const c = input.cluster[i] as number;
    const key = input.keys[i] as string;
    const known = smallestKey[c];
    if (known === null || known === undefined || key < known) smallestKey[c] = key;
  }
  const newClusters: number[] = [];
  for (let c = 0; c < clusters; c++) if (residentOfCluster[c] === null) newClusters.push(c);
  newClusters.sort((x, y) => {
    const a = smallestKey[x] ?? '';
    const b = smallestKey[y] ?? '';
    return a < b ? -1 : a > b ? 1 : x - y;
  });
  return { residentOfCluster, newClusters, merges };
}

/**
 * Pairwise evaluation of a clustering against a ground truth: pure, no I/O.
 *
 * A "pair" is two records in one cluster. Predicted pairs are the pairs of the predicted
 * clusters, true pairs those of the truth's persons; precision = correct predicted pairs /
 * predicted pairs, recall = correct predicted pairs / true pairs. Besides: how many predicted
 * clusters hold more than one person (over-merged), how many persons are spread over more
 * than one cluster (split).
 */

export interface Evaluation {
  records: number;
  clusters: number;
  persons: number;
  predictedPairs: number;
  truePairs: number;
  correctPairs: number;
  precision: number;
  recall: number;
  f1: number;
  /** Predicted clusters holding records of more than one person. */
  overMergedClusters: number;
  /** Persons whose records are in more than one predicted cluster. */
  splitPersons: number;
}

function pairs(n: number): number {
  return (n * (n - 1)) / 2;
}

/** Dense integer ids for arbitrary labels, in order of first appearance. */
function denseIds<T>(labels: ArrayLike<T>): { ids: Int32Array; count: number } {
  const map = new Map<T, number>();
  const ids = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as T;
    let id = map.get(label);
    if (id === undefined) {
      id = map.size;
      map.set(label, id);
    }
    ids[i] = id;
  }
  return { ids, count: map.size };
}

/**
 * predicted[i]: the cluster of record i (any labels); truth[i]: its true person (any labels).
 * Precision is 1 when nothing is predicted linked, recall is 1 when the truth has no pairs.
 */
export function evaluateClustering(predicted: ArrayLike<number | string>, truth: ArrayLike<number | string>): Evaluation {
  if (predicted.length !== truth.length) {
    throw new Error(`evaluateClustering: ${predicted.length} predicted labels for ${truth.length} truth labels`);
  }
  const n = predicted.length;
  const c = denseIds(predicted);
  const p = denseIds(truth);
  const clusterSize = new Int32Array(c.count);
  const personSize = new Int32Array(p.count);
  // Cells of the contingency table, keyed cluster * persons + person.
  const cells = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const ci = c.ids[i] ?? 0;
    const pi = p.ids[i] ?? 0;
    clusterSize[ci] = (clusterSize[ci] ?? 0) + 1;
    personSize[pi] = (personSize[pi] ?? 0) + 1;
    const key = ci * p.count + pi;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  let predictedPairs = 0;
  for (const s of clusterSize) predictedPairs += pairs(s);
  let truePairs = 0;
  for (const s of personSize) truePairs += pairs(s);
  let correctPairs = 0;
  const personsPerCluster = new Int32Array(c.count);
  const clustersPerPerson = new Int32Array(p.count);
  for (const [key, count] of cells) {
    correctPairs += pairs(count);
    const ci = Math.floor(key / p.count);
    const pi = key - ci * p.count;
    personsPerCluster[ci] = (personsPerCluster[ci] ?? 0) + 1;
    clustersPerPerson[pi] = (clustersPerPerson[pi] ?? 0) + 1;
  }
  let overMergedClusters = 0;
  for (const k of personsPerCluster) if (k > 1) overMergedClusters++;
  let splitPersons = 0;
  for (const k of clustersPerPerson) if (k > 1) splitPersons++;
  const precision = predictedPairs === 0 ? 1 : correctPairs / predictedPairs;
  const recall = truePairs === 0 ? 1 : correctPairs / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    records: n,
    clusters: c.count,
    persons: p.count,
    predictedPairs,
    truePairs,
    correctPairs,
    precision,
    recall,
    f1,
    overMergedClusters,
    splitPersons,
  };
}

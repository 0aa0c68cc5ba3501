import { describe, expect, it } from 'vitest';
import { evaluateClustering } from './evaluate.js';

describe('evaluateClustering', () => {
  it('perfect clustering', () => {
    const e = evaluateClustering([0, 0, 1, 2, 2, 2], ['a', 'a', 'b', 'c', 'c', 'c']);
    expect(e).toMatchObject({ precision: 1, recall: 1, f1: 1, overMergedClusters: 0, splitPersons: 0, clusters: 3, persons: 3 });
    expect(e.truePairs).toBe(1 + 3);
  });

  it('labels are arbitrary: cluster ids and person ids of any kind', () => {
    const e = evaluateClustering(['x', 'x', 'y'], [7, 7, 9]);
    expect(e.precision).toBe(1);
    expect(e.recall).toBe(1);
  });

  it('one over-merged cluster', () => {
    // Cluster 0 holds a, a, b: 3 predicted pairs, 1 correct.
    const e = evaluateClustering([0, 0, 0, 1], ['a', 'a', 'b', 'c']);
    expect(e.predictedPairs).toBe(3);
    expect(e.correctPairs).toBe(1);
    expect(e.truePairs).toBe(1);
    expect(e.precision).toBeCloseTo(1 / 3);
    expect(e.recall).toBe(1);
    expect(e.f1).toBeCloseTo(0.5);
    expect(e.overMergedClusters).toBe(1);
    expect(e.splitPersons).toBe(0);
  });

  it('one split person', () => {
    // a's three records in two clusters: 3 true pairs, 1 found.
    const e = evaluateClustering([0, 0, 1, 2], ['a', 'a', 'a', 'b']);
    expect(e.precision).toBe(1);
    expect(e.recall).toBeCloseTo(1 / 3);
    expect(e.splitPersons).toBe(1);
    expect(e.overMergedClusters).toBe(0);
  });

  it('nothing linked, nothing to link', () => {
    const e = evaluateClustering([0, 1, 2], ['a', 'b', 'c']);
    expect(e).toMatchObject({ precision: 1, recall: 1, predictedPairs: 0, truePairs: 0 });
  });

  it('nothing linked that should be', () => {
    const e = evaluateClustering([0, 1], ['a', 'a']);
    expect(e).toMatchObject({ precision: 1, recall: 0, f1: 0, splitPersons: 1 });
  });

  it('rejects mismatched lengths', () => {
    expect(() => evaluateClustering([0], ['a', 'b'])).toThrow(/2 truth labels/);
  });
});

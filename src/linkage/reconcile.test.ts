import { describe, expect, it } from 'vitest';
import { compareIds, reconcileClusters } from './reconcile.js';

describe('reconcileClusters', () => {
  it('gives every cluster of unlinked records a new resident, numbered by the smallest key', () => {
    const r = reconcileClusters({ current: [null, null, null], cluster: [1, 0, 1], keys: ['c', 'b', 'a'] });
    expect(r.residentOfCluster).toEqual([null, null]);
    expect(r.newClusters).toEqual([1, 0]); // cluster 1 holds 'a'
    expect(r.merges).toEqual([]);
  });

  it('keeps a resident id for its cluster when new records join it', () => {
    const r = reconcileClusters({ current: ['7', '7', null], cluster: [0, 0, 0], keys: ['a', 'b', 'c'] });
    expect(r.residentOfCluster).toEqual(['7']);
    expect(r.newClusters).toEqual([]);
  });

  it('merges two residents that one cluster now holds: the larger survives, the other redirects', () => {
    const r = reconcileClusters({ current: ['9', '9', '4', null], cluster: [0, 0, 0, 0], keys: ['a', 'b', 'c', 'd'] });
    expect(r.residentOfCluster).toEqual(['9']);
    expect(r.merges).toEqual([{ from: '4', into: '9' }]);
  });

  it('on equal overlap the older (lower) id survives, compared as numbers', () => {
    const r = reconcileClusters({ current: ['10', '9'], cluster: [0, 0], keys: ['a', 'b'] });
    expect(r.residentOfCluster).toEqual(['9']);
    expect(r.merges).toEqual([{ from: '10', into: '9' }]);
  });

  it('a resident split by the run keeps its id on the larger part; the rest is a new resident', () => {
    const r = reconcileClusters({ current: ['3', '3', '3'], cluster: [0, 1, 1], keys: ['a', 'b', 'c'] });
    expect(r.residentOfCluster).toEqual([null, '3']);
    expect(r.newClusters).toEqual([0]);
    expect(r.merges).toEqual([]);
  });

  it('does not depend on the order of the records', () => {
    const a = reconcileClusters({ current: ['5', '6', null, '6'], cluster: [0, 0, 1, 0], keys: ['a', 'b', 'c', 'd'] });
    const b = reconcileClusters({ current: ['6', null, '6', '5'], cluster: [1, 0, 1, 1], keys: ['d', 'c', 'b', 'a'] });
    expect(a.merges).toEqual(b.merges);
    expect(a.residentOfCluster[0]).toBe(b.residentOfCluster[1]);
  });
});

describe('compareIds', () => {
  it('orders decimal ids numerically', () => {
    expect(['10', '9', '100', '11'].sort(compareIds)).toEqual(['9', '10', '11', '100']);
  });
});

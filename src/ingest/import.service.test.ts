import { describe, expect, it } from 'vitest';
import { needsAnalyze } from './import.service.js';

describe('needsAnalyze', () => {
  it.each([
    // changed, rows the statistics describe, autovacuum, expected
    [4_999, -1, true, false], // small batches never wait for ANALYZE
    [5_000, -1, true, true], // never analyzed
    [200_000, 0, true, true], // analyzed while empty
    [111_548, 199_842, true, false], // grows by half: autovacuum's ANALYZE follows in the background
    [250_000, 199_842, true, true], // more than doubles the table
    [30_000, 250_000, false, true], // PGlite has no autovacuum: a tenth is enough
    [20_000, 250_000, false, false],
  ])('%i changed over %i known rows (autovacuum %s) → %s', (changed, known, autovacuum, expected) => {
    expect(needsAnalyze(changed, known, autovacuum)).toBe(expected);
  });
});

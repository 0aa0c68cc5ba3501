/**
 * Seconds per stage for run summaries: each lap(stage) adds the time since the previous lap
 * (or the start) to timings[stage]. No I/O: pure modules may keep timings too.
 */
export function stopwatch(timings: Record<string, number> = {}): { timings: Record<string, number>; lap(stage: string): void } {
  let t = performance.now();
  return {
    timings,
    lap(stage: string): void {
      const now = performance.now();
      timings[stage] = Math.round((timings[stage] ?? 0) * 1000 + (now - t)) / 1000;
      t = now;
    },
  };
}

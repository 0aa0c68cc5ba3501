/**
 * Edit distances on code-point sequences, for comparing names and ID numbers.
 *
 * Every function takes either a string (converted to code points on each call, which
 * allocates) or an already converted sequence (`codePoints(text)`, no allocation): the
 * linker converts once per record and compares many times. Code points, not UTF-16 units,
 * so a rare character outside the BMP (𠈌, used in some names) counts as one character.
 */

/** A string already split into code points. */
export type CodePoints = ArrayLike<number>;

/** The code points of text, e.g. '张𠈌' → [0x5f20, 0x2020c]. */
export function codePoints(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i) ?? 0;
    out.push(cp);
    if (cp > 0xffff) i++;
  }
  return out;
}

function seq(value: string | CodePoints): CodePoints {
  return typeof value === 'string' ? codePoints(value) : value;
}

// One reusable DP row: the linker is single-threaded per worker, and a name is short.
let row = new Int32Array(64);

/**
 * Levenshtein distance (insertions, deletions, substitutions, each costing 1). With `max`,
 * stops as soon as the distance is known to exceed it and returns max + 1.
 */
export function levenshtein(aIn: string | CodePoints, bIn: string | CodePoints, max = Number.POSITIVE_INFINITY): number {
  let a = seq(aIn);
  let b = seq(bIn);
  if (a.length < b.length) {
    const t = a;
    a = b;
    b = t;
  }
  const n = a.length;
  const m = b.length; // m <= n: the row runs over the shorter one
  if (n - m > max) return max + 1;
  if (m === 0) return n;
  if (row.length < m + 1) row = new Int32Array(Math.max(m + 1, row.length * 2));
  for (let j = 0; j <= m; j++) row[j] = j;
  for (let i = 1; i <= n; i++) {
    let diagonal = row[0] ?? 0; // row[i-1][0]
    row[0] = i;
    let best = i;
    const ai = a[i - 1];
    for (let j = 1; j <= m; j++) {
      const above = row[j] ?? 0;
      const left = row[j - 1] ?? 0;
      const cost = ai === b[j - 1] ? 0 : 1;
      let v = diagonal + cost;
      if (above + 1 < v) v = above + 1;
      if (left + 1 < v) v = left + 1;
      row[j] = v;
      diagonal = above;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
  }
  const d = row[m] ?? 0;
  return d > max ? max + 1 : d;
}

/**
 * Number of positions where two equally long sequences differ (Hamming distance), or -1
 * when their lengths differ.
 */
export function hamming(aIn: string | CodePoints, bIn: string | CodePoints): number {
  const a = seq(aIn);
  const b = seq(bIn);
  if (a.length !== b.length) return -1;
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

/** True when the sequences have the same length and differ in exactly one position. */
export function isOneSubstitution(aIn: string | CodePoints, bIn: string | CodePoints): boolean {
  const a = seq(aIn);
  const b = seq(bIn);
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && ++d > 1) return false;
  }
  return d === 1;
}

/** True when removing exactly one element from the longer sequence gives the shorter one. */
export function isOneInsertion(aIn: string | CodePoints, bIn: string | CodePoints): boolean {
  let a = seq(aIn);
  let b = seq(bIn);
  if (a.length < b.length) {
    const t = a;
    a = b;
    b = t;
  }
  if (a.length !== b.length + 1) return false;
  let i = 0;
  while (i < b.length && a[i] === b[i]) i++;
  // a[i] is the extra element: the rest must line up shifted by one.
  for (let j = i; j < b.length; j++) if (a[j + 1] !== b[j]) return false;
  return true;
}

/**
 * True when b is a with exactly one pair of adjacent, different elements swapped
 * (410105 ↔ 401105), everything else equal.
 */
export function isAdjacentTransposition(aIn: string | CodePoints, bIn: string | CodePoints): boolean {
  const a = seq(aIn);
  const b = seq(bIn);
  const n = a.length;
  if (n !== b.length) return false;
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  if (i >= n - 1) return false; // equal, or only the last element differs
  if (a[i] !== b[i + 1] || a[i + 1] !== b[i]) return false;
  for (let j = i + 2; j < n; j++) if (a[j] !== b[j]) return false;
  return true;
}

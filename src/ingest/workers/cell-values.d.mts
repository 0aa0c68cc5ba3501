/** Types of cell-values.mjs. */

/** An Excel date serial → Date at UTC midnight of the day Excel shows; a serial Excel cannot show as a date stays a number; not a finite number → null. */
export function serialToDate(serial: number, date1904: boolean): Date | number | null;

/** Trimmed text, '' → null. */
export function text(value: unknown): string | null;

/** Finite number or null. */
export function num(value: unknown): number | null;

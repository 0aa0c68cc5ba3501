import type { BatchSummary, ImportSummary } from '../ingest/import-files.js';

const n = (v: number) => v.toLocaleString('en-US');

export function table(rows: (string | number)[][], alignRight: boolean[] = []): string {
  const text = rows.map((r) => r.map((c) => (typeof c === 'number' ? n(c) : c)));
  const widths = text[0]!.map((_, i) => Math.max(...text.map((r) => displayWidth(r[i] ?? ''))));
  return text
    .map((r) => r.map((c, i) => (alignRight[i] ? pad(c, widths[i]!, true) : pad(c, widths[i]!, false))).join('  ').trimEnd())
    .join('\n');
}

/** CJK characters take two columns on a terminal. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

function pad(s: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return right ? fill + s : s + fill;
}

function topEntries(counts: Record<string, number>, limit = 5): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([k, v]) => `${k} ${n(v)}`)
    .join(', ');
}

export function formatImportSummary(summary: ImportSummary): string {
  if (summary.noOp) {
    const lines = [`${summary.source}: nothing to do — every file was already imported:`];
    for (const f of summary.files) {
      lines.push(`  ${f.name} (sha256 ${f.sha256.slice(0, 12)}…) already imported in batch ${f.alreadyImportedInBatch ?? summary.batch?.id ?? '?'}`);
    }
    return lines.join('\n');
  }
  return formatBatch(summary.batch!);
}

export function formatBatch(b: BatchSummary): string {
  const lines: string[] = [];
  lines.push(`${b.source}: batch ${b.id} ${b.status}${b.partial ? ' (partial export)' : ''}`);
  const rows: (string | number)[][] = [['file', 'format', 'header row', 'rows read', 'accepted', 'rejected', 'skipped']];
  for (const f of b.files) {
    if (f.status === 'skipped') {
      rows.push([f.name, f.format ?? '', '', 'already imported', `(batch ${f.alreadyImportedInBatch})`, '', '']);
      continue;
    }
    rows.push([f.name, [f.format, f.encoding].filter(Boolean).join(' '), f.headerRow ?? '', f.rowsRead, f.rowsAccepted, f.rowsRejected, f.rowsSkipped]);
  }
  rows.push(['total', '', '', b.rowsRead, b.rowsAccepted, b.rowsRejected, b.rowsSkipped]);
  lines.push(table(rows, [false, false, true, true, true, true, true]).replace(/^/gm, '  '));
  lines.push(`  records: ${n(b.records.created)} new, ${n(b.records.updated)} updated, ${n(b.records.unchanged)} unchanged, ${n(b.records.missing)} no longer present`);
  const idFlags = Object.fromEntries(Object.entries(b.flagCounts).filter(([k]) => k.startsWith('id_')));
  lines.push(`  ID numbers flagged: ${n(b.idsFlagged)}${b.idsFlagged ? ` (${topEntries(idFlags)})` : ''}`);
  const otherFlags = Object.fromEntries(Object.entries(b.flagCounts).filter(([k]) => !k.startsWith('id_')));
  if (Object.keys(otherFlags).length) lines.push(`  other field flags: ${topEntries(otherFlags)}`);
  if (b.rowsRejected) lines.push(`  top reject reasons: ${topEntries(b.rejectReasons)} — see: resident-hub rejects ${b.id} --out rejects.csv`);
  if (b.error) lines.push(`  error: ${b.error.code}: ${b.error.message}`);
  return lines.join('\n');
}

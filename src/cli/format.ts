import type { OverlapStats } from '../golden/stats.repository.js';
import type { BatchSummary, ImportSummary } from '../ingest/import-files.js';
import type { TruthEvaluation } from '../linkage/evaluate-links.js';
import type { LinkRunSummary } from '../linkage/link.service.js';
import type { ModelParameters } from '../linkage/model.js';

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

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

export function formatLinkSummary(s: LinkRunSummary): string {
  if (s.noOp) return 'link: nothing to do — every record is linked as it is now';
  const lines = [`link run ${s.runId}: ${s.mode} (${s.reason.replace(/_/g, ' ')}), model ${s.modelId}`];
  lines.push(`  records: ${n(s.recordsPending)} to link, ${n(s.recordsCompared)} compared (with the residents around them)`);
  if (s.engine) {
    lines.push(`  candidate pairs: ${n(s.engine.candidatePairs)} (${n(s.engine.linkedPairs)} above the upper threshold, ${n(s.engine.betweenThresholds)} between the thresholds)`);
    const perKey = Object.entries(s.engine.pairsPerKey)
      .filter(([, v]) => v.newPairs > 0)
      .map(([k, v]) => `${k} ${n(v.newPairs)}`)
      .join(', ');
    if (perKey) lines.push(`  pairs per blocking key (new): ${perKey}`);
    if (s.engine.refusedMerges) lines.push(`  merges refused by the no-chaining rules: ${n(s.engine.refusedMerges)}`);
  }
  lines.push(`  residents: ${n(s.residentsCreated)} new, ${n(s.residentsMerged)} merged into another, ${n(s.residentsTouched)} touched`);
  if (s.golden) {
    lines.push(`  golden records: ${n(s.golden.newVersions)} new version(s); conflicts opened ${n(s.golden.conflictsOpened)}, alerts opened ${n(s.golden.alertsOpened)}`);
  }
  lines.push(`  review queue: ${n(s.reviewOpened)} opened, ${n(s.reviewObsoleted)} no longer needed`);
  const total = Object.entries(s.timings)
    .filter(([k]) => !k.startsWith('engine.'))
    .reduce((a, [, v]) => a + v, 0);
  lines.push(`  took ${total.toFixed(1)} s`);
  return lines.join('\n');
}

const SOURCE_SHORT: Record<string, string> = {
  police: '派出所',
  'family-planning': '计生',
  'floating-population': '流动人口',
  'minimum-allowance': '低保',
};

export function formatStats(s: OverlapStats): string {
  const lines = [`residents: ${n(s.residents)}${s.mergedAway ? ` (${n(s.mergedAway)} merged away)` : ''}`];
  const rows: (string | number)[][] = [['source', 'records', 'present', 'linked', 'residents']];
  for (const p of s.perSource) rows.push([`${p.source} ${SOURCE_SHORT[p.source] ?? ''}`, p.records, p.present, p.linked, p.residents]);
  lines.push(table(rows, [false, true, true, true, true]).replace(/^/gm, '  '));
  lines.push('residents by the systems that hold them:');
  const combos: (string | number)[][] = [['police', 'family-planning', 'floating', 'allowance', 'residents', 'share']];
  for (const c of s.combinations) {
    combos.push([
      ...['police', 'family-planning', 'floating-population', 'minimum-allowance'].map((x) => (c.sources.includes(x) ? '●' : '·')),
      c.residents,
      s.residents ? pct(c.residents / s.residents) : '',
    ]);
  }
  lines.push(table(combos, [false, false, false, false, true, true]).replace(/^/gm, '  '));
  lines.push(`review queue: ${n(s.review.open)} open, ${n(s.review.decided)} decided`);
  const kinds = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ') || 'none';
  lines.push(`open conflicts: ${kinds(s.conflicts)}`);
  lines.push(`open alerts: ${kinds(s.alerts)}`);
  return lines.join('\n');
}

export function formatEvaluation(e: TruthEvaluation, truthFile: string): string {
  const lines = [`evaluation against ${truthFile} (${n(e.records)} records, ${n(e.persons)} persons, ${n(e.clusters)} residents)`];
  lines.push(`  pairwise precision ${e.precision.toFixed(5)}   recall ${e.recall.toFixed(5)}   F1 ${e.f1.toFixed(5)}`);
  lines.push(`  pairs: ${n(e.correctPairs)} correct of ${n(e.predictedPairs)} predicted, ${n(e.truePairs)} true`);
  lines.push(`  over-merged residents (more than one person): ${n(e.overMergedClusters)}; split persons (more than one resident): ${n(e.splitPersons)}`);
  if (e.unlinked) lines.push(`  not linked yet: ${n(e.unlinked)} record(s) — run: npx resident-hub link`);
  if (e.recordsNotInTruth) lines.push(`  stored records the truth does not mention: ${n(e.recordsNotInTruth)} (left out)`);
  if (e.truthNotStored) lines.push(`  truth rows with no stored record: ${n(e.truthNotStored)}`);
  return lines.join('\n');
}

export function formatModel(params: ModelParameters, meta: { id: string; records: number; sources: string[]; createdAt: string }): string {
  const lines = [`model ${meta.id}: fitted ${meta.createdAt} on ${n(meta.records)} records (${meta.sources.join(', ')})`];
  lines.push(`  prior: λ = ${params.lambda.toExponential(3)} (${params.priorWeight.toFixed(2)} bits); thresholds: link ≥ ${params.thresholds.upper}, review ≥ ${params.thresholds.lower}`);
  lines.push(`  u from ${n(params.u.randomPairs)} random pairs (seed ${params.u.seed}); m by EM on ${n(params.em.pairs)} candidate pairs (${n(params.em.patterns)} patterns)`);
  for (const [field, levels] of Object.entries(params.fields)) {
    const rows: (string | number)[][] = [[field, 'm', 'u', 'weight (bits)']];
    for (const l of levels) rows.push([`  ${l.level}`, l.m.toPrecision(3), l.u.toPrecision(3), l.weight.toFixed(2)]);
    lines.push(table(rows, [false, true, true, true]).replace(/^/gm, '  '));
  }
  lines.push(`  name frequency adjustment on levels ${params.termFrequency.levels.join(', ')} (at most +${params.termFrequency.maxUp} / −${params.termFrequency.maxDown} bits)`);
  return lines.join('\n');
}

/**
 * Linkage accuracy benchmark: generates a synthetic district (or reuses one), reads every
 * export through the real readers and adapters, runs the in-memory linkage engine and scores
 * its clusters against the generator's ground truth (truth.csv).
 *
 *   node --import tsx bench/link-accuracy.ts --people 20000 --seed 123 [--dir DIR] [--keep]
 *
 * Prints pairwise precision / recall / F1, over-merged clusters and split persons, the merged
 * twins and same-name parents and children, what exact-ID-only linking would reach, time and
 * peak memory. The district is generated under --dir (default: a temporary directory, removed
 * afterwards unless --keep); an existing district there (manifest.json) is reused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { adapterFor } from '../adapters/index.js';
import { DEFAULT_EXPORT_DATE, buildPopulation, generateDistrict } from '../fixtures/generator/index.js';
import { openSourceFile } from '../src/ingest/source-file.js';
import { linkRecords, type LinkInput } from '../src/linkage/engine.js';
import { evaluateClustering } from '../src/linkage/evaluate.js';

interface LoadedRecord extends LinkInput {
  file: string;
  row: number;
  person: string;
}

interface Manifest {
  seed: number;
  people: number;
  exportDate: string;
  files: { source: string; file: string; dataRows: number }[];
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function readTruth(dir: string): Map<string, string> {
  const truth = new Map<string, string>();
  const lines = fs.readFileSync(path.join(dir, 'truth.csv'), 'utf8').split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const [, file, row, person] = line.split(',');
    if (file && row && person) truth.set(`${file}\u0000${row}`, person);
  }
  return truth;
}

async function loadDistrict(dir: string, manifest: Manifest): Promise<LoadedRecord[]> {
  const truth = readTruth(dir);
  const records: LoadedRecord[] = [];
  let rejected = 0;
  for (const f of manifest.files) {
    const opened = await openSourceFile(path.join(dir, f.file), adapterFor(f.source));
    for await (const chunk of opened.chunks(manifest.exportDate ?? DEFAULT_EXPORT_DATE)) {
      for (const row of chunk) {
        if (row.kind === 'rejected') rejected++;
        if (row.kind !== 'accepted') continue;
        const person = truth.get(`${f.file}\u0000${row.rowNumber}`);
        if (person === undefined) throw new Error(`${f.file} row ${row.rowNumber}: not in truth.csv`);
        records.push({
          key: `${f.source}:${row.result.naturalKey}:${f.file}:${row.rowNumber}`,
          source: f.source,
          data: row.result.data,
          file: f.file,
          row: row.rowNumber,
          person,
        });
      }
    }
  }
  if (rejected) console.log(`  (${rejected} rows rejected by the adapters)`);
  return records;
}

/** Seeded Fisher–Yates, to show that the input order does not matter. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const j = s % (i + 1);
    const t = out[i] as T;
    out[i] = out[j] as T;
    out[j] = t;
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '20000' },
      seed: { type: 'string', default: '123' },
      dir: { type: 'string' },
      keep: { type: 'boolean', default: false },
      shuffle: { type: 'string' },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
  });
  const people = Number(values.people);
  const seed = Number(values.seed);
  const dir = values.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), `rh-link-${seed}-${people}-`));
  const temporary = values.dir === undefined && !values.keep;
  try {
    let t = performance.now();
    let manifest: Manifest;
    const manifestPath = path.join(dir, 'manifest.json');
    if (fs.existsSync(manifestPath)) {
      manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
      console.log(`district: reusing ${dir} (${manifest.people} people, seed ${manifest.seed})`);
    } else {
      manifest = (await generateDistrict({ people, seed, outDir: dir })) as Manifest;
      console.log(`district: generated ${people} people, seed ${seed} in ${((performance.now() - t) / 1000).toFixed(1)} s → ${dir}`);
    }
    t = performance.now();
    let records = await loadDistrict(dir, manifest);
    console.log(`read: ${records.length} records in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    if (values.shuffle !== undefined) records = shuffled(records, Number(values.shuffle));

    // With --expose-gc: collect the readers' garbage first, so that the figures are the engine's.
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed;
    t = performance.now();
    const cpu = process.cpuUsage();
    const result = linkRecords(records);
    const seconds = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    const heapAfter = process.memoryUsage().heapUsed;

    const truthIds = records.map((r) => r.person);
    const ev = evaluateClustering(result.clusters, truthIds);
    const fmt = (x: number): string => x.toFixed(5);
    console.log(`\nlinked ${ev.records} records into ${ev.clusters} residents (truth: ${ev.persons} persons)`);
    console.log(`  precision ${fmt(ev.precision)}  recall ${fmt(ev.recall)}  F1 ${fmt(ev.f1)}`);
    console.log(`  pairs: predicted ${ev.predictedPairs}, true ${ev.truePairs}, correct ${ev.correctPairs}`);
    console.log(`  over-merged clusters ${ev.overMergedClusters}, split persons ${ev.splitPersons}`);

    // Baseline: exact usable ID number only.
    const idCluster = new Map<string, number>();
    const baseline = records.map((r, i) => {
      const status = r.data.idNumberStatus;
      const id = r.data.idNumber;
      if ((status === 'valid' || status === 'upgraded') && typeof id === 'string') {
        const c = idCluster.get(id);
        if (c !== undefined) return c;
        idCluster.set(id, i);
      }
      return i;
    });
    const base = evaluateClustering(baseline, truthIds);
    console.log(`  (exact ID only: precision ${fmt(base.precision)}  recall ${fmt(base.recall)})`);

    // Hard cases: which persons were merged with another, by the generator's tags.
    const population = buildPopulation({ people: manifest.people, seed: manifest.seed, exportDate: manifest.exportDate ?? DEFAULT_EXPORT_DATE });
    const tags = new Map<string, string[]>();
    for (const p of population.persons) if (p.hard.length) tags.set(p.pid, p.hard);
    const byCluster = new Map<number, number[]>();
    result.clusters.forEach((c, i) => {
      const list = byCluster.get(c);
      if (list) list.push(i);
      else byCluster.set(c, [i]);
    });
    const mergedKinds = new Map<string, number>();
    const examples: string[] = [];
    for (const members of byCluster.values()) {
      const persons = [...new Set(members.map((i) => records[i]?.person ?? ''))];
      if (persons.length < 2) continue;
      const kinds = new Set<string>();
      for (const p of persons) for (const k of tags.get(p) ?? ['untagged']) kinds.add(k);
      const label = [...kinds].sort().join('+');
      mergedKinds.set(label, (mergedKinds.get(label) ?? 0) + 1);
      if (values.verbose || kinds.has('twin') || kinds.has('parent_child_same_name')) {
        examples.push(
          `  [${label}] ` +
            members.map((i) => {
              const r = records[i];
              return r ? `${r.person} ${r.source} ${String(r.data.name)} ${String(r.data.idNumberText ?? '-')} ${String(r.data.birthDate ?? r.data.age ?? '-')}` : '';
            }).join(' | '),
        );
      }
    }
    const twins = [...mergedKinds].filter(([k]) => k.includes('twin')).reduce((n, [, c]) => n + c, 0);
    const parentChild = [...mergedKinds].filter(([k]) => k.includes('parent_child_same_name')).reduce((n, [, c]) => n + c, 0);
    console.log(`  merged twins: ${twins}, merged same-name parent/child: ${parentChild}`);
    if (mergedKinds.size) console.log(`  over-merged clusters by the persons' tags: ${[...mergedKinds].map(([k, c]) => `${k} ${c}`).join(', ')}`);
    for (const line of examples.slice(0, 40)) console.log(line);

    console.log(`\nengine: ${seconds.toFixed(2)} s (cpu ${cpuSeconds.toFixed(2)} s) for ${records.length} records`);
    console.log(`  candidate pairs ${result.stats.candidatePairs}, scored; per key:`);
    for (const [key, s] of Object.entries(result.stats.pairsPerKey)) {
      console.log(`    ${key.padEnd(22)} blocks ${String(s.blocks).padStart(8)}  pairs ${String(s.pairs).padStart(9)}  new ${String(s.newPairs).padStart(9)}  skipped blocks ${s.skippedBlocks} (${s.skippedRecords} records)`);
    }
    console.log(`  links above the upper threshold ${result.stats.linkedPairs}, review ${result.review.length} (refused merges ${result.stats.refusedMerges})`);
    console.log(`  EM: ${result.params.em.sessions.map((s) => `${s.name} ${s.pairs} pairs λ=${s.lambda.toFixed(3)} ${s.iterations} it`).join('; ')}; prior λ = ${result.params.lambda.toExponential(3)} (${result.params.priorWeight.toFixed(1)} bits); thresholds upper ${result.params.thresholds.upper}, lower ${result.params.thresholds.lower}`);
    console.log(`  stages (s): ${Object.entries(result.stats.timings).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`memory: rss before linking ${mb(rssBefore)} (heap ${mb(heapBefore)}), heap after ${mb(heapAfter)}, peak rss ${mb(process.resourceUsage().maxRSS * 1024)}`);
  } finally {
    if (temporary) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

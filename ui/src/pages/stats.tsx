/**
 * The island map: how many residents each of the four systems holds and how many appear in each
 * combination of them (an UpSet chart in SVG with its data table), and data quality per
 * department. Aggregates only: no personal data.
 */
import { api } from '../api.js';
import { fieldLabel } from '../components/record-values.js';
import { ErrorBanner, Loading, Page, SourceName, useLoad } from '../components/ui.js';
import { codeName, formatDateTime, formatNumber, useT } from '../i18n/index.js';
import type { Route } from '../router.js';

interface Overlap {
  residents: number;
  mergedAway: number;
  perSource: { source: string; records: number; present: number; linked: number; residents: number }[];
  combinations: { sources: string[]; residents: number }[];
  review: { open: number; decided: number };
  conflicts: Record<string, number>;
  alerts: Record<string, number>;
  lastRun: { id: string; mode: string; finishedAt: string | null } | null;
}

interface Quality {
  perSource: {
    source: string;
    records: number;
    missingIdNumber: number;
    invalidIdNumber: number;
    disagreeing: { name: number; birthDate: number; sex: number; idNumber: number };
  }[];
}

/** The four systems in the order the README names them (adapters/types.ts). */
const SOURCES = ['police', 'family-planning', 'floating-population', 'minimum-allowance'];

type T = ReturnType<typeof useT>;

function sourceOrder(sources: string[]): string[] {
  return [...sources].sort((a, b) => (SOURCES.indexOf(a) === -1 ? 99 : SOURCES.indexOf(a)) - (SOURCES.indexOf(b) === -1 ? 99 : SOURCES.indexOf(b)) || a.localeCompare(b));
}

function combinationName(t: T, sources: string[]): string {
  const names = sourceOrder(sources).map((s) => codeName('sourceShort.', s));
  return names.length === 1 ? t('stats.overlap.only', { source: names[0]! }) : names.join(t('stats.overlap.join'));
}

function pct(n: number, of: number): string {
  if (of === 0) return '0%';
  const p = (n / of) * 100;
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)}%`;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

export function StatsPage(_props: { route: Route }) {
  const t = useT();
  const overlap = useLoad(() => api.get<Overlap>('/v1/stats/overlap'), []);
  const quality = useLoad(() => api.get<Quality>('/v1/stats/quality'), []);
  const o = overlap.data;
  return (
    <Page title={t('stats.title')}>
      {overlap.error ? <ErrorBanner error={overlap.error} onRetry={overlap.reload} /> : null}
      {!o ? (
        overlap.loading && <Loading />
      ) : (
        <>
          <section aria-labelledby="stats-summary-title">
            <h2 id="stats-summary-title" class="stats-sr">
              {t('stats.summary')}
            </h2>
            <dl class="stats-tiles">
              <Tile label={t('stats.residents')} value={formatNumber(o.residents)} />
              <Tile label={t('stats.mergedAway')} value={formatNumber(o.mergedAway)} />
              <Tile label={t('stats.reviewOpen')} value={formatNumber(o.review.open)} />
              <Tile label={t('stats.reviewDecided')} value={formatNumber(o.review.decided)} />
              <Tile label={t('stats.conflicts')} value={formatNumber(sum(o.conflicts))} />
              <Tile label={t('stats.alerts')} value={formatNumber(sum(o.alerts))} />
              <Tile
                label={t('stats.lastRun')}
                value={o.lastRun?.finishedAt ? t('stats.lastRunValue', { at: formatDateTime(o.lastRun.finishedAt), mode: codeName('stats.mode.', o.lastRun.mode) }) : t('stats.lastRunNone')}
                small
              />
            </dl>
          </section>
          {o.residents === 0 ? <p class="panel">{t('stats.empty')}</p> : <OverlapSection overlap={o} />}
        </>
      )}
      {quality.error ? <ErrorBanner error={quality.error} onRetry={quality.reload} /> : null}
      {quality.data && <QualitySection quality={quality.data} />}
    </Page>
  );
}

function Tile(props: { label: string; value: string; small?: boolean }) {
  return (
    <div class="stats-tile">
      <dt>{props.label}</dt>
      <dd class={props.small ? 'stats-tile-small' : undefined}>{props.value}</dd>
    </div>
  );
}

function OverlapSection(props: { overlap: Overlap }) {
  const t = useT();
  const o = props.overlap;
  const combos = [...o.combinations].sort((a, b) => b.residents - a.residents || a.sources.length - b.sources.length);
  const total = combos.reduce((n, c) => n + c.residents, 0);
  const perSource = sourceOrder(o.perSource.map((p) => p.source)).map((s) => o.perSource.find((p) => p.source === s)!);
  return (
    <section class="panel stats-section" aria-labelledby="stats-overlap-title">
      <h2 id="stats-overlap-title">{t('stats.overlap.title')}</h2>
      <p class="muted stats-intro">{t('stats.overlap.intro')}</p>
      <div class="stats-overlap">
        <UpSet combos={combos} perSource={perSource} />
        <table class="stats-table">
          <caption>{t('stats.overlap.table')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('stats.overlap.combination')}</th>
              <th scope="col" class="stats-num">
                {t('stats.overlap.residents')}
              </th>
              <th scope="col" class="stats-num">
                {t('stats.overlap.share')}
              </th>
            </tr>
          </thead>
          <tbody>
            {combos.map((c) => (
              <tr key={c.sources.join('+')}>
                <th scope="row">{combinationName(t, c.sources)}</th>
                <td class="stats-num">{formatNumber(c.residents)}</td>
                <td class="stats-num">{pct(c.residents, total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3 class="stats-h3">{t('stats.perSource.title')}</h3>
      <table class="stats-table stats-per-source">
        <thead>
          <tr>
            <th scope="col">{t('stats.perSource.source')}</th>
            <th scope="col" class="stats-num">
              {t('stats.perSource.records')}
            </th>
            <th scope="col" class="stats-num">
              {t('stats.perSource.present')}
            </th>
            <th scope="col" class="stats-num">
              {t('stats.perSource.linked')}
            </th>
            <th scope="col" class="stats-num">
              {t('stats.perSource.residents')}
            </th>
          </tr>
        </thead>
        <tbody>
          {perSource.map((p) => (
            <tr key={p.source}>
              <th scope="row">
                <SourceName source={p.source} />
              </th>
              <td class="stats-num">{formatNumber(p.records)}</td>
              <td class="stats-num">{formatNumber(p.present)}</td>
              <td class="stats-num">{formatNumber(p.linked)}</td>
              <td class="stats-num">{formatNumber(p.residents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** UpSet chart: a column per combination (bar above, its systems as dots below), a bar per system on the left. */
function UpSet(props: { combos: Overlap['combinations']; perSource: Overlap['perSource'] }) {
  const t = useT();
  const { combos, perSource } = props;
  const rows = perSource.map((p) => p.source);
  // Wide enough for the longest system name (CJK characters are about twice as wide as Latin ones).
  const labelW = Math.max(56, ...rows.map((s) => [...codeName('sourceShort.', s)].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 13.5 : 7.5), 12)));
  const numW = 44;
  const setBarW = 110;
  const left = labelW + numW + setBarW + 12;
  const colW = Math.max(30, Math.min(48, 460 / Math.max(combos.length, 1)));
  const barTop = 18;
  const barH = 170;
  const matrixTop = barTop + barH + 14;
  const rowH = 26;
  const width = left + combos.length * colW + 8;
  const height = matrixTop + rows.length * rowH + 22;
  const maxCombo = Math.max(1, ...combos.map((c) => c.residents));
  const maxSet = Math.max(1, ...perSource.map((p) => p.residents));
  const summary = combos.map((c) => `${combinationName(t, c.sources)} ${formatNumber(c.residents)}`).join('，');
  return (
    <svg class="stats-upset" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={t('stats.overlap.chart', { summary })}>
      {rows.map((s, r) => (r % 2 === 0 ? <rect key={s} x={left} y={matrixTop + r * rowH} width={combos.length * colW} height={rowH} class="stats-row-band" /> : null))}
      {combos.map((c, i) => {
        const x = left + i * colW;
        const h = (c.residents / maxCombo) * barH;
        const members = rows.map((s, r) => (c.sources.includes(s) ? r : -1)).filter((r) => r >= 0);
        const cx = x + colW / 2;
        return (
          <g key={c.sources.join('+')} class="stats-upset-col">
            <rect x={x + 5} y={barTop + barH - h} width={colW - 10} height={Math.max(h, 1)} class="stats-bar" />
            <text x={cx} y={barTop + barH - h - 4} text-anchor="middle" class="stats-bar-value">
              {formatNumber(c.residents)}
            </text>
            {members.length > 1 && <line x1={cx} x2={cx} y1={matrixTop + members[0]! * rowH + rowH / 2} y2={matrixTop + members.at(-1)! * rowH + rowH / 2} class="stats-dot-line" />}
            {rows.map((s, r) => (
              <circle key={s} cx={cx} cy={matrixTop + r * rowH + rowH / 2} r={7} class={c.sources.includes(s) ? 'stats-dot-on' : 'stats-dot-off'} />
            ))}
          </g>
        );
      })}
      {rows.map((s, r) => {
        const p = perSource[r]!;
        const y = matrixTop + r * rowH;
        const w = (p.residents / maxSet) * setBarW;
        return (
          <g key={s}>
            <text x={labelW - 6} y={y + rowH / 2 + 4} text-anchor="end" class="stats-label">
              {codeName('sourceShort.', s)}
            </text>
            <rect x={labelW + numW + setBarW - w} y={y + 5} width={Math.max(w, 1)} height={rowH - 10} class="stats-set-bar" />
            <text x={labelW + numW - 4} y={y + rowH / 2 + 4} text-anchor="end" class="stats-bar-value">
              {formatNumber(p.residents)}
            </text>
          </g>
        );
      })}
      <text x={labelW + numW + setBarW} y={matrixTop + rows.length * rowH + 16} text-anchor="end" class="stats-axis">
        {t('stats.overlap.setSize')}
      </text>
    </svg>
  );
}

function QualitySection(props: { quality: Quality }) {
  const t = useT();
  const rows = sourceOrder(props.quality.perSource.map((p) => p.source)).map((s) => props.quality.perSource.find((p) => p.source === s)!);
  // One scale for every bar of the table: the largest share fills it, so departments compare at a glance.
  const shares = rows.flatMap((p) => (p.records === 0 ? [] : [p.missingIdNumber, p.invalidIdNumber, ...Object.values(p.disagreeing)].map((n) => n / p.records)));
  const full = Math.max(0.01, ...shares);
  const cell = (n: number, of: number) => (
    <td class="stats-num">
      <span class="stats-cell">
        {t('stats.quality.cell', { n: formatNumber(n), pct: pct(n, of) })}
        <svg class="stats-mini" width="60" height="8" aria-hidden="true">
          <rect x="0" y="0" width="60" height="8" class="stats-mini-bg" />
          <rect x="0" y="0" width={of === 0 ? 0 : Math.max(n > 0 ? 1 : 0, (n / of / full) * 60)} height="8" class="stats-mini-bar" />
        </svg>
      </span>
    </td>
  );
  return (
    <section class="panel stats-section" aria-labelledby="stats-quality-title">
      <h2 id="stats-quality-title">{t('stats.quality.title')}</h2>
      <p class="muted stats-intro">{t('stats.quality.intro')}</p>
      <table class="stats-table stats-quality">
        <thead>
          <tr>
            <th scope="col" rowSpan={2}>
              {t('stats.quality.source')}
            </th>
            <th scope="col" rowSpan={2} class="stats-num">
              {t('stats.quality.records')}
            </th>
            <th scope="col" rowSpan={2} class="stats-num">
              {t('stats.quality.missingId')}
            </th>
            <th scope="col" rowSpan={2} class="stats-num">
              {t('stats.quality.invalidId')}
            </th>
            <th scope="colgroup" colSpan={4} class="stats-group">
              {t('stats.quality.disagreeing')}
            </th>
          </tr>
          <tr>
            {(['name', 'birthDate', 'sex', 'idNumber'] as const).map((f) => (
              <th key={f} scope="col" class="stats-num">
                {fieldLabel(f)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.source}>
              <th scope="row">
                <SourceName source={p.source} />
              </th>
              <td class="stats-num">{formatNumber(p.records)}</td>
              {cell(p.missingIdNumber, p.records)}
              {cell(p.invalidIdNumber, p.records)}
              {cell(p.disagreeing.name, p.records)}
              {cell(p.disagreeing.birthDate, p.records)}
              {cell(p.disagreeing.sex, p.records)}
              {cell(p.disagreeing.idNumber, p.records)}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/**
 * The auditors' review queue: one uncertain pair at a time, both source records aligned field by
 * field with the differences marked, the match weight of every compared field as a bar chart,
 * and the decision (match / non-match / skip) by button or shortcut key.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { derivedKeys, fieldLabel, plainValue, recordRows, recordValue, ShownText, type ShownValue } from '../components/record-values.js';
import { ErrorBanner, Loading, Page, SourceName, useLoad } from '../components/ui.js';
import { codeName, formatDateTime, formatNumber, useT, type MessageKey } from '../i18n/index.js';
import { href, navigate, type Route } from '../router.js';
import { useSession } from '../session.js';

interface Side {
  recordId: string;
  source: string;
  fileName: string;
  rowNumber: number;
  data: Record<string, unknown>;
  residentId: string | null;
}

export interface ReviewItem {
  id: string;
  status: 'open' | 'match' | 'non_match' | 'obsolete';
  weight: number;
  probability: number;
  reason: string;
  levels: Record<string, string>;
  fieldWeights: Record<string, number>;
  createdAt: string;
  updatedAt: string;
  a: Side;
  b: Side;
  decision: { id: string; decision: 'match' | 'non_match'; reason: string | null; decidedAt: string; decidedBy: { name: string; role: string }; revokedAt: string | null } | null;
}

interface DecisionResponse {
  item: ReviewItem;
  residentIds: string[];
  actionId: string | null;
}

type Decision = 'match' | 'non_match' | 'skip';

/** What the last decision did, for the status line. */
interface Done {
  text: string;
  residentId?: string;
  actionId?: string | null;
  undone?: boolean;
}

const PAGE_SIZE = 10;
const SKIPPED_KEY = 'rh-review-skipped';
/** The compared fields of the linkage model (src/linkage/compare.ts), in its order. */
const COMPARED = ['name', 'idNumber', 'birthDate', 'sex', 'phone', 'address', 'household'];

function loadSkipped(): string[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(SKIPPED_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function signed(n: number): string {
  const r = Math.round(n * 10) / 10;
  return `${r > 0 ? '+' : r < 0 ? '−' : ''}${formatNumber(Math.abs(r))}`;
}

function percent(p: number): string {
  // Never 100 % for a probability below 1: the auditor must see that the model had doubts.
  const floored = Math.floor(p * 10_000) / 100;
  return `${floored.toFixed(2)}%`;
}

/**
 * The first page of open items with any not skipped in this visit (strongest first), and whether
 * more follow. Skipping moves along this page without reading the queue again.
 */
async function openItems(skipped: readonly string[]): Promise<{ items: ReviewItem[]; more: boolean }> {
  let cursor: string | null = null;
  for (let pages = 0; pages < 20; pages++) {
    const page: { items: ReviewItem[]; next: string | null } = await api.get('/v1/review', { status: 'open', limit: PAGE_SIZE, cursor });
    if (page.items.some((i) => !skipped.includes(i.id)) || page.next === null) return { items: page.items, more: page.next !== null };
    cursor = page.next;
  }
  return { items: [], more: true };
}

export function ReviewPage(props: { route: Route }) {
  const t = useT();
  const session = useSession();
  const itemId = props.route.segments[1];
  const [skipped, setSkipped] = useState<string[]>(loadSkipped);
  const [done, setDone] = useState<Done | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const queue = useLoad(() => (itemId ? api.get<ReviewItem>(`/v1/review/${encodeURIComponent(itemId)}`).then((item) => ({ items: [item], more: false })) : openItems(skipped)), [itemId]);
  const left = itemId ? (queue.data?.items ?? []) : (queue.data?.items ?? []).filter((i) => !skipped.includes(i.id));
  // Every item of the page loaded was skipped: read the next ones.
  const exhausted = !itemId && !queue.loading && queue.data !== undefined && left.length === 0 && queue.data.more;
  useEffect(() => {
    if (exhausted) queue.reload();
  }, [exhausted]);

  function skip(id: string) {
    const next = [...skipped, id];
    sessionStorage.setItem(SKIPPED_KEY, JSON.stringify(next));
    setSkipped(next);
  }

  function clearSkipped() {
    sessionStorage.removeItem(SKIPPED_KEY);
    setSkipped([]);
    setDone(null);
    queue.reload();
  }

  async function decide(item: ReviewItem, decision: Decision, reason: string): Promise<void> {
    setActionError(null);
    if (decision === 'skip') {
      setDone({ text: t('review.done.skipped', { id: item.id }) });
      skip(item.id);
      if (itemId) navigate(['review']);
      return;
    }
    try {
      const res = await api.post<DecisionResponse>(`/v1/review/${item.id}/decision`, { decision, ...(reason.trim() ? { reason: reason.trim() } : {}) });
      setDone(describe(t, decision, res));
      if (itemId) navigate(['review']);
      else queue.reload();
    } catch (err) {
      setActionError(err);
    }
  }

  async function undo(actionId: string) {
    setActionError(null);
    try {
      await api.post(`/v1/actions/${actionId}/undo`, {});
      setDone({ text: t('review.done.undone'), undone: true });
      queue.reload();
    } catch (err) {
      setActionError(err);
    }
  }

  const data = exhausted ? undefined : queue.data;
  const item = left[0] ?? null;
  const queueLine = data && item && (
    <p class="review-queue muted">
      {itemId ? (
        <a href={href(['review'])}>{t('review.backToQueue')}</a>
      ) : (
        <>
          {t('review.queue.count', { n: left.length })}
          {data.more ? t('review.queue.more') : ''}
          {skipped.length > 0 && (
            <>
              {' · '}
              {t('review.queue.skipped', { n: skipped.length })}{' '}
              <button type="button" class="review-link-button" onClick={clearSkipped}>
                {t('review.queue.showSkipped')}
              </button>
            </>
          )}
        </>
      )}
    </p>
  );
  return (
    <Page title={t('review.title')} actions={queueLine}>
      <div class="review-status" role="status">
        {done && (
          <p class="review-done">
            {done.text}{' '}
            {done.residentId && <a href={href(['residents', done.residentId])}>{t('review.done.open', { id: done.residentId })}</a>}{' '}
            {done.actionId && !done.undone && session.can('residents:merge') && (
              <button type="button" onClick={() => void undo(done.actionId!)}>
                {t('review.done.undo')}
              </button>
            )}
          </p>
        )}
      </div>
      {actionError ? <ErrorBanner error={actionError} /> : null}
      {queue.error ? <ErrorBanner error={queue.error} onRetry={queue.reload} /> : null}
      {!data && queue.loading ? (
        <Loading />
      ) : !data ? null : item === null ? (
        <div class="panel review-empty">
          <p>{skipped.length > 0 ? t('review.emptySkipped') : t('review.empty')}</p>
          {skipped.length > 0 && (
            <button type="button" onClick={clearSkipped}>
              {t('review.queue.showSkipped')}
            </button>
          )}
        </div>
      ) : (
        <ReviewItemView key={item.id} item={item} busy={queue.loading} canDecide={session.can('review:decide')} onDecide={(d, reason) => decide(item, d, reason)} />
      )}
    </Page>
  );
}

function describe(t: ReturnType<typeof useT>, decision: Decision, res: DecisionResponse): Done {
  const ids = res.residentIds;
  if (decision === 'match') {
    const survivor = res.item.a.residentId ?? ids[0];
    const other = ids.find((id) => id !== survivor);
    if (res.actionId && survivor && other) return { text: t('review.done.merged', { other, survivor }), residentId: survivor, actionId: res.actionId };
    return { text: t('review.done.sameAlready', { id: survivor ?? '' }), residentId: survivor };
  }
  if (res.actionId && ids.length === 2) return { text: t('review.done.split', { from: ids[0]!, to: ids[1]! }), residentId: ids[1], actionId: res.actionId };
  return { text: t('review.done.nonMatch') };
}

function ReviewItemView(props: { item: ReviewItem; busy: boolean; canDecide: boolean; onDecide(d: Decision, reason: string): Promise<void> }) {
  const t = useT();
  const { item } = props;
  const open = item.status === 'open';
  return (
    <article class="review-item" aria-labelledby="review-item-title">
      <div class="review-main">
        <h2 id="review-item-title" class="review-item-title">
          {t('review.item', { id: item.id })}
          <span class="review-item-status">{t('review.item.status', { status: codeName('review.status.', item.status) })}</span>
        </h2>
        <Comparison item={item} />
      </div>
      <aside class="review-side" aria-label={t('review.decide.title')}>
        {open ? (
          props.canDecide ? (
            <DecisionPanel busy={props.busy} onDecide={props.onDecide} />
          ) : (
            <p class="muted">{t('review.decide.noRight')}</p>
          )
        ) : (
          item.decision && (
            <div class="panel">
              <p>
                {t('review.decidedBy', {
                  decision: codeName('review.status.', item.decision.decision),
                  name: item.decision.decidedBy.name,
                  role: codeName('role.', item.decision.decidedBy.role),
                  at: formatDateTime(item.decision.decidedAt),
                })}
              </p>
              {item.decision.reason && <p>{t('review.decidedReason', { reason: item.decision.reason })}</p>}
            </div>
          )
        )}
        <WeightChart item={item} />
      </aside>
    </article>
  );
}

function Summary(props: { item: ReviewItem }) {
  const t = useT();
  const { item } = props;
  return (
    <dl class="review-summary">
      <div>
        <dt>{t('review.weights.total')}</dt>
        <dd class="review-total">{t('review.weights.bits', { w: signed(item.weight) })}</dd>
      </div>
      <div>
        <dt>{t('review.weights.probability')}</dt>
        <dd class="review-total">{percent(item.probability)}</dd>
      </div>
      <div class="review-summary-reason">
        <dt>{t('review.weights.reason')}</dt>
        <dd>{codeName('review.reason.', item.reason)}</dd>
      </div>
    </dl>
  );
}

function DecisionPanel(props: { busy: boolean; onDecide(d: Decision, reason: string): Promise<void> }) {
  const t = useT();
  const [reason, setReason] = useState('');
  const [saving, setSaving] = useState(false);
  const latest = useRef<(d: Decision) => void>(() => undefined);

  const run = (d: Decision) => {
    if (saving || props.busy) return;
    setSaving(true);
    void props.onDecide(d, reason).finally(() => setSaving(false));
  };
  latest.current = run;

  // M / N / S anywhere on the page, except while typing (the reason box, any field) or with a modifier.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey || e.repeat || e.defaultPrevented) return;
      const target = e.target as HTMLElement | null;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      const d: Decision | undefined = ({ m: 'match', n: 'non_match', s: 'skip' } as const)[e.key.toLowerCase() as 'm' | 'n' | 's'];
      if (!d) return;
      e.preventDefault();
      latest.current(d);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const disabled = saving || props.busy;
  return (
    <section class="review-decide panel" aria-labelledby="review-decide-title">
      <h3 id="review-decide-title">{t('review.decide.title')}</h3>
      <div class="review-buttons" role="group" aria-label={t('review.decide.shortcuts')}>
        <button type="button" class="review-match" aria-keyshortcuts="M" disabled={disabled} onClick={() => run('match')}>
          {t('review.decide.match')} <kbd>M</kbd>
        </button>
        <button type="button" class="review-nonmatch" aria-keyshortcuts="N" disabled={disabled} onClick={() => run('non_match')}>
          {t('review.decide.nonMatch')} <kbd>N</kbd>
        </button>
        <button type="button" aria-keyshortcuts="S" disabled={disabled} onClick={() => run('skip')}>
          {t('review.decide.skip')} <kbd>S</kbd>
        </button>
      </div>
      <label for="review-reason">{t('review.decide.reason')}</label>
      <textarea
        id="review-reason"
        rows={2}
        maxLength={2000}
        aria-describedby="review-reason-hint"
        value={reason}
        onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') (e.target as HTMLTextAreaElement).blur();
        }}
      />
      <p id="review-reason-hint" class="muted review-hint">
        {t('review.decide.reasonHint')}
      </p>
      {saving && <p class="muted">{t('review.decide.busy')}</p>}
    </section>
  );
}

function SideHeader(props: { side: Side; label: string }) {
  const t = useT();
  const { side } = props;
  return (
    <th scope="col" class="review-side-head">
      <span class="review-side-label">{props.label}</span>
      <SourceName source={side.source} />
      <span class="review-side-meta">{t('review.side.file', { file: side.fileName, row: side.rowNumber })}</span>
      <span class="review-side-meta">{t('review.side.record', { id: side.recordId })}</span>
      <span class="review-side-meta">
        {t('review.side.resident')}{side.residentId ? <a href={href(['residents', side.residentId])}>{t('review.side.residentLink', { id: side.residentId })}</a> : t('review.side.unlinked')}
      </span>
    </th>
  );
}

type Verdict = 'same' | 'different' | 'onlyA' | 'onlyB';

function verdictOf(a: string, b: string): Verdict | null {
  if (!a && !b) return null;
  if (!b) return 'onlyA';
  if (!a) return 'onlyB';
  return a === b ? 'same' : 'different';
}

/** The addresses the linker compares, whichever column holds them (src/linkage/compare.ts). */
const ADDRESS_KEYS = ['address', 'currentAddress', 'registeredAddress'];

/**
 * An address only one side has under this key is compared with the other side's addresses under
 * the other keys (the police 住址 with family planning's 现居住地址), as the linker does.
 */
function addressVerdict(t: ReturnType<typeof useT>, key: string, a: Record<string, unknown>, b: Record<string, unknown>, verdict: Verdict | null): { verdict: Verdict | null; text?: string } {
  if (!ADDRESS_KEYS.includes(key) || (verdict !== 'onlyA' && verdict !== 'onlyB')) return { verdict };
  const [mine, other, otherSide] = verdict === 'onlyA' ? [a, b, t('review.side.b')] : [b, a, t('review.side.a')];
  const value = recordValue(key, mine).compare;
  const others = ADDRESS_KEYS.map((k) => ({ k, v: recordValue(k, other).compare })).filter((x) => x.v);
  if (others.length === 0) return { verdict };
  const same = others.find((x) => x.v === value);
  if (same) return { verdict: 'same', text: t('review.compare.sameAs', { side: otherSide, field: fieldLabel(same.k) }) };
  return { verdict: 'different', text: t('review.compare.differsFromAll', { side: otherSide }) };
}

function VerdictCell(props: { verdict: Verdict; text?: string }) {
  const t = useT();
  const mark = { same: '=', different: '≠', onlyA: '←', onlyB: '→' }[props.verdict];
  return (
    <td class={`review-verdict review-verdict-${props.verdict}`}>
      <span aria-hidden="true">{mark} </span>
      {props.text ?? t(`review.compare.${props.verdict}` as MessageKey)}
    </td>
  );
}

function Comparison(props: { item: ReviewItem }) {
  const t = useT();
  const { a, b } = props.item;
  const rows = recordRows([a.data, b.data]).map(({ key, label, values }) => {
    const [va, vb] = values as [ShownValue, ShownValue];
    return { key, label, va, vb, ...addressVerdict(t, key, a.data, b.data, verdictOf(va.compare, vb.compare)) };
  });
  const differing = rows.filter((r) => r.verdict === 'different').length;
  const derived = derivedKeys([a.data, b.data]);
  const cell = (v: ShownValue) =>
    v.text ? (
      <ShownText value={v} />
    ) : (
      <span class="muted" aria-label={t('common.none')}>
        {t('review.compare.empty')}
      </span>
    );
  return (
    <>
      {a.residentId && a.residentId === b.residentId && <p class="muted">{t('review.side.sameResident')}</p>}
      <table class="review-compare">
        <caption>
          {t('review.compare.title')} · {t('review.compare.differentCount', { n: differing })}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('review.compare.field')}</th>
            <SideHeader side={a} label={t('review.side.a')} />
            <SideHeader side={b} label={t('review.side.b')} />
            <th scope="col">{t('review.compare.result')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) =>
            r.verdict === null ? null : (
              <tr key={r.key} class={r.verdict === 'different' ? 'review-row-diff' : undefined}>
                <th scope="row">{r.label}</th>
                <td>{cell(r.va)}</td>
                <td>{cell(r.vb)}</td>
                <VerdictCell verdict={r.verdict} text={r.text} />
              </tr>
            ),
          )}
        </tbody>
      </table>
      {derived.length > 0 && (
        <details class="review-derived">
          <summary>{t('review.compare.derived', { n: derived.length })}</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('review.compare.field')}</th>
                <th scope="col">{t('review.side.a')}</th>
                <th scope="col">{t('review.side.b')}</th>
                <th scope="col">{t('review.compare.result')}</th>
              </tr>
            </thead>
            <tbody>
              {derived.map((key) => {
                const va = plainValue(a.data[key]);
                const vb = plainValue(b.data[key]);
                const verdict = verdictOf(va, vb);
                return verdict === null ? null : (
                  <tr key={key} class={verdict === 'different' ? 'review-row-diff' : undefined}>
                    <th scope="row">{key}</th>
                    <td>{va || t('review.compare.empty')}</td>
                    <td>{vb || t('review.compare.empty')}</td>
                    <VerdictCell verdict={verdict} />
                  </tr>
                );
              })}
            </tbody>
          </table>
        </details>
      )}
    </>
  );
}

/** Horizontal bars around a zero line: right pushes towards a match, left away from it. */
function WeightChart(props: { item: ReviewItem }) {
  const t = useT();
  const { item } = props;
  const fields = [...COMPARED.filter((f) => f in item.fieldWeights), ...Object.keys(item.fieldWeights).filter((f) => !COMPARED.includes(f))];
  const rows = fields.map((f) => ({ field: f, label: codeName('review.cmp.', f), level: codeName('review.level.', item.levels[f] ?? ''), weight: item.fieldWeights[f] ?? 0 }));
  const max = Math.max(4, ...rows.map((r) => Math.abs(r.weight)));
  const width = 400;
  const labelW = 100;
  const valueW = 44;
  const half = (width - labelW - 2 * valueW) / 2;
  const zero = labelW + valueW + half;
  const rowH = 27;
  const top = 22;
  const height = top + rows.length * rowH + 8;
  const scale = (w: number) => (Math.abs(w) / max) * half;
  const summary = rows.map((r) => `${r.label} ${r.level} ${signed(r.weight)}`).join('；');
  return (
    <section class="review-weights panel" aria-labelledby="review-weights-title">
      <h3 id="review-weights-title">{t('review.weights.title')}</h3>
      <Summary item={item} />
      <svg class="review-chart" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={t('review.weights.chart', { summary })}>
        <text x={zero - 6} y={14} text-anchor="end" class="review-chart-axis">
          ← {t('review.weights.awayFromMatch')}
        </text>
        <text x={zero + 6} y={14} class="review-chart-axis">
          {t('review.weights.towardsMatch')} →
        </text>
        <text x={0} y={14} class="review-chart-axis">
          {t('review.weights.explain')}
        </text>
        {rows.map((r, i) => {
          const y = top + i * rowH;
          const w = scale(r.weight);
          const positive = r.weight > 0;
          const x = positive ? zero : zero - w;
          return (
            <g key={r.field}>
              <text x={0} y={y + 13} class="review-chart-label">
                {r.label}
              </text>
              <text x={0} y={y + 26} class="review-chart-level">
                {r.level}
              </text>
              <rect x={x} y={y + 5} width={Math.max(w, 1)} height={18} class={positive ? 'review-bar-pos' : r.weight < 0 ? 'review-bar-neg' : 'review-bar-zero'} />
              <text x={positive ? zero + w + 4 : zero - w - 4} y={y + 18} text-anchor={positive ? 'start' : 'end'} class="review-chart-value">
                {signed(r.weight)}
              </text>
            </g>
          );
        })}
        <line x1={zero} x2={zero} y1={top} y2={height - 4} class="review-chart-zero" />
      </svg>
    </section>
  );
}

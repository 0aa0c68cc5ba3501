/**
 * The audit trail for auditors: who did what, when, to which object, with which outcome —
 * filtered, newest first (or oldest first), a page at a time.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBanner, FilterSelect, Loading, Page, useCursorPages } from '../components/ui.js';
import { codeName, formatNumber, lang, useT } from '../i18n/index.js';
import { href, navigate, type Route } from '../router.js';

interface Entry {
  seq: number;
  at: string;
  actor: { keyId: string | null; name: string; role: string };
  action: string;
  target: { type: string; id: string | null };
  outcome: string;
  details: Record<string, unknown>;
}

const ACTIONS = [
  'review:decide',
  'residents:merge',
  'residents:split',
  'actions:undo',
  'conflicts:resolve',
  'imports:create',
  'keys:create',
  'keys:revoke',
  'residents:read',
  'residents:search',
  'match',
  'review:read',
  'conflicts:read',
  'imports:read',
  'changes:read',
  'links:export',
  'audit:read',
  'session:read',
  'stats:read',
];
const TARGET_TYPES = ['resident', 'review_item', 'resident_issue', 'auditor_action', 'import_batch', 'api_key', 'audit_log', 'resident_history', 'links', 'match', 'route'];
const OUTCOMES = ['success', 'denied', 'error'];
const PAGE_SIZE = 50;

interface Filters {
  action: string;
  outcome: string;
  target_type: string;
  target_id: string;
  from: string;
  to: string;
  order: 'asc' | 'desc';
}

const EMPTY: Filters = { action: '', outcome: '', target_type: '', target_id: '', from: '', to: '', order: 'desc' };

function filtersOf(route: Route): Filters {
  const q = route.query;
  return {
    action: q.get('action') ?? '',
    outcome: OUTCOMES.includes(q.get('outcome') ?? '') ? q.get('outcome')! : '',
    target_type: q.get('target_type') ?? '',
    target_id: q.get('target_id') ?? '',
    from: q.get('from') ?? '',
    to: q.get('to') ?? '',
    order: q.get('order') === 'asc' ? 'asc' : 'desc',
  };
}

type T = ReturnType<typeof useT>;

/** ISO instant → the value of a datetime-local input (local time, to the minute). */
function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function formatAt(iso: string): string {
  return new Date(iso).toLocaleString(lang(), { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

function short(value: unknown, t: T): string {
  if (value === null || value === undefined) return t('audit.details.none');
  if (typeof value === 'string') return value.length > 40 ? `${value.slice(0, 39)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const shown = value.slice(0, 4).map((v) => short(v, t));
    return value.length > 4 ? `${shown.join(', ')} … (${formatNumber(value.length)})` : `[${shown.join(', ')}]`;
  }
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 59)}…` : json;
}

/** Whether `short` shows the value whole. */
function whole(value: unknown): boolean {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return true;
  if (typeof value === 'string') return value.length <= 40;
  if (Array.isArray(value)) return value.length <= 4 && value.every(whole);
  return JSON.stringify(value).length <= 60;
}

export function AuditPage(props: { route: Route }) {
  const t = useT();
  const filters = filtersOf(props.route);
  const key = JSON.stringify(filters);
  const { items: entries, next, loading, error, loadMore, reload } = useCursorPages<Entry, number>(
    (cursor) =>
      api.get<{ items: Entry[]; next: number | null }>('/v1/audit', {
        action: filters.action,
        outcome: filters.outcome,
        target_type: filters.target_type,
        target_id: filters.target_id,
        from: filters.from,
        to: filters.to,
        order: filters.order,
        limit: PAGE_SIZE,
        ...(cursor === null ? {} : filters.order === 'desc' ? { before: cursor } : { after: cursor }),
      }),
    key,
  );

  return (
    <Page title={t('audit.title')}>
      <p class="muted audit-intro">{t('audit.intro')}</p>
      <FilterForm key={key} filters={filters} />
      {error ? <ErrorBanner error={error} onRetry={reload} /> : null}
      {entries.length === 0 && loading ? (
        <Loading />
      ) : entries.length === 0 && !error ? (
        <p class="panel">{t('audit.empty')}</p>
      ) : (
        <>
          <table class="audit-table">
            <caption class="audit-sr">{t('audit.table')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit.col.seq')}</th>
                <th scope="col">{t('audit.col.at')}</th>
                <th scope="col">{t('audit.col.actor')}</th>
                <th scope="col">{t('audit.col.action')}</th>
                <th scope="col">{t('audit.col.target')}</th>
                <th scope="col">{t('audit.col.outcome')}</th>
                <th scope="col">{t('audit.col.details')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <Row key={e.seq} entry={e} />
              ))}
            </tbody>
          </table>
          <p class="audit-paging" role="status">
            <span class="muted">{t('audit.count', { n: formatNumber(entries.length) })}</span>
            {next !== null && (
              <button type="button" disabled={loading} onClick={loadMore}>
                {loading ? t('common.loading') : t('audit.more')}
              </button>
            )}
          </p>
        </>
      )}
    </Page>
  );
}

function FilterForm(props: { filters: Filters }) {
  const t = useT();
  const [f, setF] = useState<Filters>({ ...props.filters, from: props.filters.from && toLocalInput(props.filters.from), to: props.filters.to && toLocalInput(props.filters.to) });
  const [problem, setProblem] = useState<string | null>(null);
  const set = (name: keyof Filters) => (e: Event) => setF({ ...f, [name]: (e.target as HTMLInputElement | HTMLSelectElement).value });

  function submit(e: Event) {
    e.preventDefault();
    const iso = (local: string) => (local ? new Date(local).toISOString() : '');
    if ([f.from, f.to].some((v) => v && Number.isNaN(new Date(v).getTime()))) return setProblem(t('audit.badTime'));
    setProblem(null);
    navigate(['audit'], {
      action: f.action,
      outcome: f.outcome,
      target_type: f.target_type,
      target_id: f.target_id.trim(),
      from: iso(f.from),
      to: iso(f.to),
      order: f.order === 'desc' ? undefined : f.order,
    });
  }

  const select = (name: 'action' | 'outcome' | 'target_type' | 'order', label: string, options: string[], prefix: string, any = true) => (
    <FilterSelect
      id={`audit-${name}`}
      class="audit-filter"
      label={label}
      value={f[name]}
      options={options}
      prefix={prefix}
      any={any ? t('audit.filter.any') : undefined}
      onChange={(value) => setF({ ...f, [name]: value })}
    />
  );

  return (
    <form class="audit-filters panel" role="search" aria-label={t('audit.filters')} onSubmit={submit}>
      {select('action', t('audit.filter.action'), ACTIONS, 'audit.action.')}
      {select('outcome', t('audit.filter.outcome'), OUTCOMES, 'audit.outcome.')}
      {select('target_type', t('audit.filter.targetType'), TARGET_TYPES, 'audit.target.')}
      <div class="audit-filter">
        <label for="audit-target_id">{t('audit.filter.targetId')}</label>
        <input id="audit-target_id" type="text" size={8} maxLength={200} value={f.target_id} onInput={set('target_id')} />
      </div>
      <div class="audit-filter">
        <label for="audit-from">{t('audit.filter.from')}</label>
        <input id="audit-from" type="datetime-local" value={f.from} onInput={set('from')} />
      </div>
      <div class="audit-filter">
        <label for="audit-to">{t('audit.filter.to')}</label>
        <input id="audit-to" type="datetime-local" value={f.to} onInput={set('to')} />
      </div>
      {select('order', t('audit.filter.order'), ['desc', 'asc'], 'audit.order.', false)}
      <div class="audit-buttons">
        <button type="submit">{t('audit.filter.apply')}</button>
        <button type="button" onClick={() => navigate(['audit'])} disabled={JSON.stringify(props.filters) === JSON.stringify(EMPTY)}>
          {t('audit.filter.reset')}
        </button>
      </div>
      {problem && (
        <p class="error audit-problem" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

function Row(props: { entry: Entry }) {
  const t = useT();
  const e = props.entry;
  const role = e.actor.role === 'system' ? t('audit.role.system') : codeName('role.', e.actor.role);
  const typeLabel = codeName('audit.target.', e.target.type);
  const targetHref = e.target.id === null ? null : e.target.type === 'resident' ? href(['residents', e.target.id]) : e.target.type === 'review_item' ? href(['review', e.target.id]) : null;
  const detailEntries = Object.entries(e.details);
  const shown = detailEntries.slice(0, 4);
  const json = JSON.stringify(e.details, null, 1);
  const truncated = detailEntries.length > shown.length || shown.some(([, v]) => !whole(v));
  return (
    <tr class={`audit-row audit-${e.outcome}`}>
      <td class="audit-num">{e.seq}</td>
      <td class="audit-at">{formatAt(e.at)}</td>
      <td>{t('audit.actor', { name: e.actor.name, role })}</td>
      <td>
        {codeName('audit.action.', e.action)}
        <code class="audit-code">{e.action}</code>
      </td>
      <td>
        {e.target.id === null ? typeLabel : targetHref ? <a href={targetHref}>{t('audit.targetValue', { type: typeLabel, id: e.target.id })}</a> : t('audit.targetValue', { type: typeLabel, id: e.target.id })}
      </td>
      <td>
        <span class={`audit-outcome audit-outcome-${e.outcome}`}>{codeName('audit.outcome.', e.outcome)}</span>
      </td>
      <td class="audit-details">
        {shown.length === 0 ? (
          t('audit.details.none')
        ) : (
          <ul>
            {shown.map(([k, v]) => (
              <li key={k}>
                <span class="audit-key">{k}</span>: {short(v, t)}
              </li>
            ))}
            {detailEntries.length > shown.length && <li class="muted">{t('audit.details.more', { n: detailEntries.length - shown.length })}</li>}
          </ul>
        )}
        {truncated && (
          <details>
            <summary>{t('audit.details.all')}</summary>
            <pre>{json}</pre>
          </details>
        )}
      </td>
    </tr>
  );
}

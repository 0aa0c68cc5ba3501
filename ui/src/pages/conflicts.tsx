/**
 * Conflicts (sources disagreeing on a resident's name, birth date, sex, ID number) and alerts
 * (deceased or moved out but still drawing the allowance, one ID number held by several
 * residents, a decision whose record changed): filtered, a page at a time, resolved in place.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { codeValue, fieldLabel, plainValue } from '../components/record-values.js';
import { ErrorBanner, FilterSelect, Loading, Page, SourceName, useCursorPages } from '../components/ui.js';
import { codeName, formatDateTime, formatNumber, useT, type MessageKey } from '../i18n/index.js';
import { href, navigate, type Route } from '../router.js';
import { useSession } from '../session.js';

interface ConflictValue {
  value: unknown;
  sources: string[];
  sourceRecordIds: string[];
}

interface Resolution {
  via: string;
  field: string | null;
  value?: unknown;
  sourceRecordId: string | null;
  reason: string | null;
  decidedAt: string | null;
  version?: number;
  actor?: { keyId: string | null; name: string; role: string };
}

export interface Issue {
  id: string;
  residentId: string;
  category: 'conflict' | 'alert';
  kind: string;
  severity: string;
  status: 'open' | 'resolved' | 'obsolete';
  field: string | null;
  details: Record<string, unknown> & { values?: ConflictValue[] };
  resolution: Resolution | null;
  createdAt: string;
  updatedAt: string;
}

const CONFLICT_KINDS = ['name_conflict', 'name_variant', 'birth_date_conflict', 'sex_conflict', 'id_number_conflict'];
const ALERT_KINDS = ['deceased_receiving_allowance', 'moved_out_receiving_allowance', 'shared_id_number', 'stale_decision'];
const SEVERITIES = ['high', 'medium', 'low'];
const STATUSES = ['open', 'resolved', 'obsolete', 'all'];
const PAGE_SIZE = 20;

interface Filters {
  category: string;
  kind: string;
  severity: string;
  status: string;
}

function filtersOf(route: Route): Filters {
  const q = route.query;
  const category = ['conflict', 'alert'].includes(q.get('category') ?? '') ? q.get('category')! : '';
  const kinds = category === 'conflict' ? CONFLICT_KINDS : category === 'alert' ? ALERT_KINDS : [...CONFLICT_KINDS, ...ALERT_KINDS];
  const kind = kinds.includes(q.get('kind') ?? '') ? q.get('kind')! : '';
  const severity = SEVERITIES.includes(q.get('severity') ?? '') ? q.get('severity')! : '';
  const status = STATUSES.includes(q.get('status') ?? '') ? q.get('status')! : 'open';
  return { category, kind, severity, status };
}

/** A conflict's value in words (sex codes as 男/女). */
function valueText(field: string | null, value: unknown): string {
  return field === 'sex' ? codeValue('sex', value) : plainValue(value);
}

export function ConflictsPage(props: { route: Route }) {
  const t = useT();
  const filters = filtersOf(props.route);
  const key = JSON.stringify(filters);
  const { items, setItems, next, loading, error, loadMore, retry } = useCursorPages<Issue, string>(
    (cursor) =>
      api.get<{ items: Issue[]; next: string | null }>('/v1/conflicts', {
        category: filters.category,
        kind: filters.kind,
        severity: filters.severity,
        status: filters.status,
        limit: PAGE_SIZE,
        cursor,
      }),
    key,
  );
  const [announce, setAnnounce] = useState('');

  function setFilter(name: keyof Filters, value: string) {
    const f = { ...filters, [name]: value };
    if (name === 'category') f.kind = '';
    navigate(['conflicts'], { category: f.category, kind: f.kind, severity: f.severity, status: f.status === 'open' ? undefined : f.status });
  }

  const kinds = filters.category === 'conflict' ? CONFLICT_KINDS : filters.category === 'alert' ? ALERT_KINDS : [...CONFLICT_KINDS, ...ALERT_KINDS];
  const select = (name: keyof Filters, options: string[], prefix: string, any: boolean) => (
    <FilterSelect
      id={`conflicts-${name}`}
      class="conflicts-filter"
      label={t(`conflicts.filter.${name}` as MessageKey)}
      value={filters[name]}
      options={options}
      prefix={prefix}
      any={any ? t('conflicts.filter.any') : undefined}
      onChange={(value) => setFilter(name, value)}
    />
  );

  return (
    <Page title={t('conflicts.title')}>
      <form class="conflicts-filters panel" role="search" aria-label={t('conflicts.filters')} onSubmit={(e) => e.preventDefault()}>
        {select('category', ['conflict', 'alert'], 'conflicts.category.', true)}
        {select('kind', kinds, 'conflicts.kind.', true)}
        {select('severity', SEVERITIES, 'conflicts.severity.', true)}
        {select('status', STATUSES, 'conflicts.status.', false)}
        <button type="button" onClick={() => navigate(['conflicts'])} disabled={key === JSON.stringify({ category: '', kind: '', severity: '', status: 'open' })}>
          {t('conflicts.filter.reset')}
        </button>
      </form>
      <p class="conflicts-announce" role="status">
        {announce}
      </p>
      {error ? <ErrorBanner error={error} onRetry={retry} /> : null}
      {items.length === 0 && loading ? (
        <Loading />
      ) : items.length === 0 && !error ? (
        <p class="panel">{t('conflicts.empty')}</p>
      ) : (
        <>
          <ul class="conflicts-list">
            {items.map((issue) => (
              <li key={issue.id}>
                <IssueCard
                  issue={issue}
                  onResolved={(updated) => {
                    setItems((old) => old.map((i) => (i.id === updated.id ? updated : i)));
                    setAnnounce(t('conflicts.saved', { kind: codeName('conflicts.kind.', updated.kind), resident: updated.residentId }));
                  }}
                />
              </li>
            ))}
          </ul>
          <p class="conflicts-paging">
            <span class="muted">{t('conflicts.count', { n: formatNumber(items.length) })}</span>
            {next && (
              <button type="button" disabled={loading} onClick={loadMore}>
                {loading ? t('common.loading') : t('conflicts.more')}
              </button>
            )}
          </p>
        </>
      )}
    </Page>
  );
}

function IssueCard(props: { issue: Issue; onResolved(issue: Issue): void }) {
  const t = useT();
  const session = useSession();
  const { issue } = props;
  const [resolving, setResolving] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const titleId = `conflict-${issue.id}-title`;
  const kind = codeName('conflicts.kind.', issue.kind);
  return (
    <article class={`conflicts-item panel conflicts-${issue.status}`} aria-labelledby={titleId}>
      <header class="conflicts-item-head">
        <h2 id={titleId} tabIndex={-1} ref={heading}>
          {t('conflicts.item', { kind, id: issue.id })}
        </h2>
        <span class={`conflicts-badge conflicts-severity-${issue.severity}`}>{t('conflicts.severityLabel', { severity: codeName('conflicts.severity.', issue.severity) })}</span>
        <span class={`conflicts-badge conflicts-status-${issue.status}`}>{codeName('conflicts.status.', issue.status)}</span>
        <span class="conflicts-badge">{codeName('conflicts.category.', issue.category)}</span>
      </header>
      <p class="conflicts-meta">
        {t('conflicts.resident')}<a href={href(['residents', issue.residentId])}>{t('conflicts.residentLink', { id: issue.residentId })}</a>
        {issue.field && <span> · {t('conflicts.field', { field: fieldLabel(issue.field) })}</span>}
        <span class="muted"> · {t('conflicts.found', { at: formatDateTime(issue.createdAt) })}</span>
      </p>
      {issue.category === 'conflict' ? <ConflictValues issue={issue} /> : <AlertDetails issue={issue} />}
      {issue.resolution && <ResolutionView issue={issue} />}
      {issue.status === 'open' &&
        (!session.can('conflicts:resolve') ? (
          <p class="muted">{t('conflicts.noRight')}</p>
        ) : resolving ? (
          <ResolveForm
            issue={issue}
            onCancel={() => setResolving(false)}
            onResolved={(updated) => {
              setResolving(false);
              props.onResolved(updated);
              requestAnimationFrame(() => heading.current?.focus());
            }}
          />
        ) : (
          <button type="button" class="conflicts-open-form" onClick={() => setResolving(true)}>
            {issue.category === 'alert' ? t('conflicts.acknowledge') : t('conflicts.resolve')}
            <span class="conflicts-sr"> {t('conflicts.item', { kind, id: issue.id })}</span>
          </button>
        ))}
    </article>
  );
}

function ConflictValues(props: { issue: Issue }) {
  const t = useT();
  const { issue } = props;
  const values = issue.details.values ?? [];
  return (
    <table class="conflicts-values">
      <caption class="conflicts-sr">{t('conflicts.values')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('conflicts.value')}</th>
          <th scope="col">{t('conflicts.sources')}</th>
        </tr>
      </thead>
      <tbody>
        {values.map((v, i) => (
          <tr key={i}>
            <td class="conflicts-value">
              {valueText(issue.field, v.value)}
              {i === 0 && issue.status === 'open' && <span class="muted"> {t('conflicts.golden')}</span>}
            </td>
            <td>
              {v.sourceRecordIds.map((id, j) => (
                <span key={id} class="conflicts-source">
                  <SourceName source={v.sources[j] ?? ''} short /> {t('conflicts.record', { id })}
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AlertDetails(props: { issue: Issue }) {
  const t = useT();
  const d = props.issue.details;
  const rows: [string, string | null][] = [];
  const text = (v: unknown) => (v === null || v === undefined || v === '' ? null : plainValue(v));
  const ids = (v: unknown) => (Array.isArray(v) && v.length > 0 ? v.map((id) => t('conflicts.record', { id: String(id) })).join('、') : null);
  switch (props.issue.kind) {
    case 'deceased_receiving_allowance':
    case 'moved_out_receiving_allowance':
      rows.push(
        [t('conflicts.alert.statusDate'), text(d.statusDate)],
        [t('conflicts.alert.statusRecord'), d.statusRecordId ? t('conflicts.record', { id: String(d.statusRecordId) }) : null],
        [t('conflicts.alert.allowanceRecords'), ids(d.allowanceRecordIds)],
        [t('conflicts.alert.approvedOn'), text(d.approvedOn)],
        [t('conflicts.alert.monthlyAmount'), typeof d.monthlyAmount === 'number' ? t('conflicts.alert.yuan', { n: formatNumber(d.monthlyAmount) }) : text(d.monthlyAmount)],
      );
      break;
    case 'shared_id_number':
      rows.push([t('conflicts.alert.idNumber'), text(d.idNumber)], [t('conflicts.alert.residents'), Array.isArray(d.residentKeys) ? d.residentKeys.join('、') : null]);
      break;
    case 'stale_decision': {
      const field = typeof d.field === 'string' ? d.field : null;
      rows.push(
        [t('conflicts.alert.decidedValue'), text(valueText(field, d.decidedValue))],
        [t('conflicts.alert.currentValue'), text(valueText(field, d.currentValue))],
        [t('conflicts.alert.sourceRecord'), d.sourceRecordId ? t('conflicts.record', { id: String(d.sourceRecordId) }) : null],
        [t('conflicts.alert.change'), typeof d.change === 'string' ? codeName('conflicts.alert.change.', d.change) : null],
        [t('conflicts.alert.decidedAt'), typeof d.decidedAt === 'string' ? formatDateTime(d.decidedAt) : null],
      );
      break;
    }
    default:
      for (const [k, v] of Object.entries(d)) if (!['kind', 'severity', 'message'].includes(k)) rows.push([k, text(v)]);
  }
  return (
    <dl class="conflicts-details">
      {rows
        .filter((r): r is [string, string] => r[1] !== null)
        .map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}

function ResolutionView(props: { issue: Issue }) {
  const t = useT();
  const { issue } = props;
  const r = issue.resolution!;
  const source = r.sourceRecordId ? issue.details.values?.flatMap((v) => v.sourceRecordIds.map((id, j) => ({ id, source: v.sources[j] }))).find((x) => x.id === r.sourceRecordId)?.source : undefined;
  const what =
    r.via === 'record'
      ? t('conflicts.resolution.record', { value: valueText(r.field, r.value), source: source ? t(`sourceShort.${source}` as MessageKey) : '', id: r.sourceRecordId ?? '' })
      : r.via === 'value'
        ? t('conflicts.resolution.value', { value: valueText(r.field, r.value) })
        : codeName('conflicts.resolution.', r.via);
  return (
    <div class="conflicts-resolution">
      <p>
        <strong>✓ {what}</strong>
        {r.actor && r.decidedAt && <span class="muted"> · {t('conflicts.resolution.by', { name: r.actor.name, role: codeName('role.', r.actor.role), at: formatDateTime(r.decidedAt) })}</span>}
      </p>
      {r.reason && <p>{t('conflicts.resolution.reason', { reason: r.reason })}</p>}
      {r.version !== undefined && <p class="muted">{t('conflicts.resolution.version', { version: r.version })}</p>}
    </div>
  );
}

function ResolveForm(props: { issue: Issue; onCancel(): void; onResolved(issue: Issue): void }) {
  const t = useT();
  const { issue } = props;
  const isConflict = issue.category === 'conflict';
  const [choice, setChoice] = useState('');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const first = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const base = `conflict-${issue.id}`;
  const kind = codeName('conflicts.kind.', issue.kind);

  useEffect(() => {
    first.current?.focus();
  }, []);

  const records = (issue.details.values ?? []).flatMap((v) => v.sourceRecordIds.map((id, j) => ({ id, source: v.sources[j] ?? '', value: v.value })));

  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    if (isConflict && (!choice || (choice === 'value' && !value.trim()))) return setProblem(t('conflicts.needPick'));
    if (!reason.trim()) return setProblem(t('conflicts.needReason'));
    setProblem(null);
    const body: Record<string, string> = { reason: reason.trim() };
    if (isConflict && choice === 'value') body.value = value.trim();
    else if (isConflict) body.sourceRecordId = choice.slice('record:'.length);
    setSaving(true);
    try {
      const res = await api.post<{ issue: Issue; residentVersion: number | null }>(`/v1/conflicts/${issue.id}/resolve`, body);
      props.onResolved(res.issue);
    } catch (err) {
      setError(err);
      setSaving(false);
    }
  }

  const hint = issue.field && ['birthDate', 'idNumber', 'name'].includes(issue.field) ? t(`conflicts.hint.${issue.field}` as MessageKey) : null;
  return (
    <form class="conflicts-form" aria-label={t('conflicts.resolveTitle', { kind })} onSubmit={submit} noValidate>
      {isConflict && (
        <fieldset>
          <legend>{t('conflicts.pick')}</legend>
          {records.map((r, i) => (
            <div class="conflicts-choice" key={r.id}>
              <input
                type="radio"
                id={`${base}-r${r.id}`}
                name={`${base}-choice`}
                value={`record:${r.id}`}
                checked={choice === `record:${r.id}`}
                ref={i === 0 ? first : undefined}
                onChange={() => setChoice(`record:${r.id}`)}
              />
              <label for={`${base}-r${r.id}`}>{t('conflicts.pickRecord', { value: valueText(issue.field, r.value), source: t(`sourceShort.${r.source}` as MessageKey), id: r.id })}</label>
            </div>
          ))}
          <div class="conflicts-choice">
            <input type="radio" id={`${base}-rv`} name={`${base}-choice`} value="value" checked={choice === 'value'} onChange={() => setChoice('value')} />
            <label for={`${base}-rv`}>{t('conflicts.enter')}</label>
          </div>
          <div class="conflicts-enter">
            <label for={`${base}-value`}>{t('conflicts.enterValue')}</label>
            {issue.field === 'sex' ? (
              <select id={`${base}-value`} disabled={choice !== 'value'} value={value} onChange={(e) => setValue((e.target as HTMLSelectElement).value)}>
                <option value="" />
                {['1', '2', '0', '9'].map((c) => (
                  <option key={c} value={c}>
                    {codeValue('sex', c)}
                  </option>
                ))}
              </select>
            ) : (
              <input id={`${base}-value`} type="text" maxLength={200} disabled={choice !== 'value'} value={value} aria-describedby={hint ? `${base}-hint` : undefined} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
            )}
            {hint && (
              <span id={`${base}-hint`} class="muted">
                {' '}
                {hint}
              </span>
            )}
          </div>
        </fieldset>
      )}
      {!isConflict && <p class="muted">{t('conflicts.ackHint')}</p>}
      <label for={`${base}-reason`}>{t('conflicts.reason')}</label>
      <textarea id={`${base}-reason`} rows={2} maxLength={2000} required aria-required="true" value={reason} ref={isConflict ? undefined : first} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {error ? <ErrorBanner error={error} /> : null}
      <div class="conflicts-form-buttons">
        <button type="submit" disabled={saving}>
          {saving ? t('conflicts.saving') : isConflict ? t('conflicts.submit') : t('conflicts.submitAck')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('conflicts.cancel')}
        </button>
      </div>
    </form>
  );
}

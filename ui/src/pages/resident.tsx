/**
 * A resident (#/residents/{id}): the golden record with the source and rule of each field, the
 * linked source records side by side, open conflicts and alerts, the version history; for
 * auditors merge, split and undo. Shows only what the API returns (it redacts per role).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { codeName, fieldLabel, recordRows, shownString, ShownText } from '../components/record-values.js';
import { ErrorBanner, Loading, Page, SourceName, useLoad } from '../components/ui.js';
import { formatDateTime, lang, messageOr, t, useT } from '../i18n/index.js';
import { href, type Route } from '../router.js';
import { useSession } from '../session.js';

// ---------------------------------------------------------------------------------------------
// The API's shapes (src/api/routes/residents.routes.ts, resident-actions.routes.ts)

interface Provenance {
  sourceRecordId: string | null;
  source: string | null;
  rule: string;
  reason?: string;
  decidedAt?: string;
}
type Field<T> = ({ value: T } & Provenance) | null;
interface Address {
  original: string;
  normalized: string;
  community?: string;
}
interface Golden {
  name?: Field<string>;
  formerNames?: { value: string; sourceRecordIds: string[]; sources: string[] }[];
  idNumber?: Field<string>;
  birthDate?: Field<string>;
  sex?: Field<string>;
  ethnicity?: Field<string>;
  maritalStatus?: Field<string>;
  phone?: Field<string>;
  registeredAddress?: Field<Address>;
  currentAddress?: Field<Address>;
  status?: ({ value: string; date: string | null } & Provenance) | null;
  allowance?: { category: Field<string>; monthlyAmount: Field<number>; approvedOn: Field<string> } | null;
  sources?: string[];
  staleDecisions?: { field: string; sourceRecordId: string; change: string; decidedAt: string }[];
}
interface LinkedRecord {
  id: string;
  source: string;
  file: string;
  row: number;
  present: boolean;
  version: number;
  link: { probability: number; method: string };
  data: Record<string, unknown>;
}
interface Issue {
  id: string;
  category: string;
  kind: string;
  severity: string;
  details: Record<string, unknown>;
  createdAt: string;
}
interface Detail {
  id: string;
  version: number;
  golden: Golden;
  records: LinkedRecord[];
  issues: Issue[];
}
interface History {
  id: string;
  versions: { version: number; createdAt: string; runId: string | null; changes: { field: string; kind: string; from?: unknown; to?: unknown }[]; members: string[] }[];
}
interface AuditorAction {
  id: string;
  kind: string;
  residentIds: string[];
  newResidentId: string | null;
  reason: string | null;
  actor: { name: string; role: string };
  createdAt: string;
  undoneAt: string | null;
  undoneBy: { name: string; role: string } | null;
}
interface ActionResponse {
  action: AuditorAction;
  residentIds: string[];
}

// ---------------------------------------------------------------------------------------------
// Values as people read them

/** The label of a golden-record field: the page's own (former names, allowance, …) or the records' one. */
const goldenLabel = (field: string) => messageOr(`resident.field.${field}`, fieldLabel(field));

/** A value of the golden record, an issue or a change, by the field it belongs to; code lists by name. */
function show(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  const base = field.replace(/^allowance\./, '');
  if (base === 'monthlyAmount' && (typeof value === 'number' || typeof value === 'string')) {
    return t('resident.amount', { amount: typeof value === 'number' ? value.toLocaleString(lang()) : value });
  }
  if (Array.isArray(value)) {
    if (base === 'sources') return value.map((s) => messageOr(`sourceShort.${String(s)}`, String(s))).join('、');
    return value.map((v) => show(base, v)).join('、') || '—';
  }
  if (typeof value === 'object' && 'value' in value) return show(field, (value as { value: unknown }).value);
  return codeName(base, value) || '—';
}

const percent = (p: number) => `${(p * 100).toLocaleString(lang(), { maximumFractionDigits: p > 0.999 ? 2 : 1 })}%`;

// ---------------------------------------------------------------------------------------------
// The page

export function ResidentPage(props: { route: Route }) {
  const id = props.route.segments[1] ?? '';
  return <Resident key={id} id={id} movedFrom={props.route.query.get('from')} />;
}

type Notice =
  | { kind: 'merged'; other: string; before: number }
  | { kind: 'split'; newId: string; count: number; before: number }
  | { kind: 'undone'; actionId: string; before: number };

function Resident(props: { id: string; movedFrom: string | null }) {
  const t = useT();
  const session = useSession();
  const { id } = props;
  const [generation, setGeneration] = useState(0);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const mayMerge = session.can('residents:merge');
  const maySplit = session.can('residents:split');
  const mayListActions = mayMerge && session.can('review:read');

  const detail = useLoad(() => api.get<Detail>(`/v1/residents/${encodeURIComponent(id)}`), [id, generation]);
  const history = useLoad(() => api.get<History>(`/v1/residents/${encodeURIComponent(id)}/history`), [id, generation]);
  const actions = useLoad(
    () => (mayListActions ? api.get<{ items: AuditorAction[] }>('/v1/actions', { resident_id: id, limit: 100 }) : Promise.resolve({ items: [] })),
    [id, generation],
  );

  // The API answers a merged-away id with 308 to the survivor, which fetch follows: go there,
  // in place of this entry (back must not land on the old id and bounce again).
  const survivor = detail.data && detail.data.id !== id ? detail.data.id : null;
  useEffect(() => {
    if (survivor) location.replace(href(['residents', survivor], { from: id }));
  }, [survivor]);

  const title = detail.data?.golden.name?.value ? t('resident.titleNamed', { name: detail.data.golden.name.value }) : t('resident.title');
  const changed = (next: Notice) => {
    setNotice(next);
    setSelected([]);
    setGeneration((n) => n + 1);
  };

  if (detail.error instanceof ApiError && detail.error.status === 404) {
    return (
      <Page title={t('resident.title')}>
        <p class="error" role="alert">
          {t('resident.notFound', { id })}
        </p>
        <a href={href(['search'])}>{t('resident.backToSearch')}</a>
      </Page>
    );
  }
  if (!detail.data || survivor) return detail.error ? <ErrorBanner error={detail.error} onRetry={detail.reload} /> : <Loading />;
  const d = detail.data;

  return (
    <Page title={title} actions={<span class="muted">{t('resident.meta', { id: d.id, version: d.version })}</span>}>
      <div role="status" class="resident-notices">
        {props.movedFrom && <p class="resident-notice">{t('resident.moved', { from: props.movedFrom })}</p>}
        {notice && <NoticeText notice={notice} records={d.records.length} />}
      </div>
      {detail.error ? <ErrorBanner error={detail.error} onRetry={detail.reload} /> : null}
      <div class="resident-grid">
        <GoldenTable golden={d.golden} />
        <div class="resident-side">
          <Issues issues={d.issues} />
          <Timeline history={history.data} error={history.error} />
        </div>
      </div>
      <Records records={d.records} selectable={maySplit} selected={selected} onSelect={setSelected} />
      {(mayMerge || maySplit) && (
        <section class="panel resident-actions" aria-labelledby="resident-actions-title">
          <h2 id="resident-actions-title">{t('resident.actions')}</h2>
          <div class="resident-action-forms">
            {mayMerge && <MergeForm id={d.id} records={d.records.length} onDone={changed} />}
            {maySplit && <SplitForm id={d.id} records={d.records} selected={selected} onDone={changed} />}
          </div>
          {mayListActions && <ActionList actions={actions.data?.items} error={actions.error} records={d.records.length} onDone={changed} />}
        </section>
      )}
    </Page>
  );
}

function NoticeText(props: { notice: Notice; records: number }) {
  const t = useT();
  const n = props.notice;
  if (n.kind === 'merged') return <p class="resident-notice">{t('resident.merged', { other: n.other, before: n.before, after: props.records })}</p>;
  if (n.kind === 'undone') return <p class="resident-notice">{t('resident.undone', { id: n.actionId, before: n.before, after: props.records })}</p>;
  return (
    <p class="resident-notice">
      {t('resident.splitDone', { count: n.count })} <a href={href(['residents', n.newId])}>{t('resident.openNew', { id: n.newId })}</a>
      {'  '}
      {t('resident.splitRemain', { before: n.before, after: props.records })}
    </p>
  );
}

// ---------------------------------------------------------------------------------------------
// Golden record

function Origin(props: { field: Provenance | null | undefined; sources?: string[] }) {
  const t = useT();
  const f = props.field;
  if (props.sources) {
    return (
      <td class="resident-origin">
        {props.sources.map((s) => (
          <SourceName key={s} source={s} short />
        ))}
      </td>
    );
  }
  if (!f) return <td>—</td>;
  return (
    <td class="resident-origin">
      {f.source ? <SourceName source={f.source} short /> : '—'}
      {f.sourceRecordId && <span class="muted"> {t('resident.recordRef', { id: f.sourceRecordId })}</span>}
    </td>
  );
}

function Rule(props: { field: Provenance | null | undefined }) {
  const t = useT();
  const f = props.field;
  if (!f) return <td>—</td>;
  return (
    <td>
      <span class={`resident-rule resident-rule-${f.rule}`}>{messageOr(`resident.rule.${f.rule}`, f.rule)}</span>
      {f.rule === 'auditor' && f.reason && <div class="muted">{t('resident.decidedBy', { reason: f.reason })}</div>}
    </td>
  );
}

function GoldenTable(props: { golden: Golden }) {
  const t = useT();
  const g = props.golden;
  const rows: { key: string; label: string; value: ComponentChildren; field: Provenance | null | undefined; sources?: string[] }[] = [];
  const add = (key: string, field: Field<unknown> | undefined) => {
    if (field === undefined) return; // the role may not see it
    rows.push({ key, label: goldenLabel(key), value: field ? show(key, field.value) : '—', field });
  };
  add('name', g.name);
  if (g.formerNames && g.formerNames.length > 0) {
    rows.push({
      key: 'formerNames',
      label: goldenLabel('formerNames'),
      value: g.formerNames.map((f) => f.value).join('、'),
      // Every record's former names, united: no one record, no rule.
      field: { sourceRecordId: null, source: null, rule: 'union' },
      sources: [...new Set(g.formerNames.flatMap((f) => f.sources))],
    });
  }
  add('idNumber', g.idNumber);
  add('birthDate', g.birthDate);
  add('sex', g.sex);
  add('ethnicity', g.ethnicity);
  add('maritalStatus', g.maritalStatus);
  add('phone', g.phone);
  add('registeredAddress', g.registeredAddress);
  add('currentAddress', g.currentAddress);
  if (g.status !== undefined) {
    const s = g.status;
    rows.push({ key: 'status', label: goldenLabel('status'), value: s ? (s.date ? t('resident.statusSince', { status: show('status', s.value), date: s.date }) : show('status', s.value)) : '—', field: s });
  }
  if (g.allowance) {
    add('allowance.category', g.allowance.category);
    add('allowance.monthlyAmount', g.allowance.monthlyAmount);
    add('allowance.approvedOn', g.allowance.approvedOn);
  }

  return (
    <section class="panel resident-golden" aria-labelledby="resident-golden-title">
      <h2 id="resident-golden-title">{t('resident.golden')}</h2>
      <p class="muted">{t('resident.goldenIntro')}</p>
      {rows.length === 0 ? (
        <p>{t('resident.noFields')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('resident.col.field')}</th>
              <th scope="col">{t('resident.col.value')}</th>
              <th scope="col">{t('resident.col.source')}</th>
              <th scope="col">{t('resident.col.rule')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.label}</th>
                <td class="resident-value">{r.value}</td>
                <Origin field={r.field} sources={r.sources} />
                <Rule field={r.field} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {g.staleDecisions && g.staleDecisions.length > 0 && (
        <div class="resident-stale">
          <h3>{t('resident.stale')}</h3>
          <ul>
            {g.staleDecisions.map((s) => (
              <li key={`${s.field}-${s.sourceRecordId}`}>
                {t('resident.staleItem', { field: goldenLabel(s.field), date: formatDateTime(s.decidedAt), record: s.sourceRecordId, change: messageOr(`resident.staleChange.${s.change}`, s.change) })}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Source records, side by side

function Records(props: { records: LinkedRecord[]; selectable: boolean; selected: string[]; onSelect(ids: string[]): void }) {
  const t = useT();
  const { records } = props;
  const rows = recordRows(records.map((r) => r.data));
  const toggle = (recordId: string, on: boolean) => props.onSelect(on ? [...props.selected, recordId] : props.selected.filter((x) => x !== recordId));
  return (
    <section class="panel resident-records" aria-labelledby="resident-records-title">
      <h2 id="resident-records-title">{t('resident.records', { count: records.length })}</h2>
      <p class="muted">{t('resident.recordsIntro')}</p>
      <div class="resident-scroll">
        <table class="resident-matrix">
          <thead>
            <tr>
              <td />
              {records.map((r) => (
                <th scope="col" key={r.id}>
                  <SourceName source={r.source} />
                  {props.selectable && records.length > 1 && (
                    <label class="resident-pick">
                      <input type="checkbox" checked={props.selected.includes(r.id)} onChange={(e) => toggle(r.id, e.currentTarget.checked)} />
                      {t('resident.selectForSplit', { id: r.id })}
                    </label>
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">{t('resident.row.file')}</th>
              {records.map((r) => (
                <td key={r.id}>{t('resident.row.fileRow', { file: r.file, row: r.row })}</td>
              ))}
            </tr>
            <tr>
              <th scope="row">{t('resident.row.present')}</th>
              {records.map((r) => (
                <td key={r.id} class={r.present ? '' : 'resident-absent'}>
                  {t(r.present ? 'resident.present' : 'resident.absent')}
                </td>
              ))}
            </tr>
            <tr>
              <th scope="row">{t('resident.row.link')}</th>
              {records.map((r) => (
                <td key={r.id}>{t('resident.linkValue', { percent: percent(r.link.probability), method: messageOr(`resident.method.${r.link.method}`, r.link.method) })}</td>
              ))}
            </tr>
            {rows.map((row) => {
              const distinct = new Set(row.values.map(shownString).filter((v) => v !== ''));
              const differs = records.length > 1 && distinct.size > 1;
              return (
                <tr key={row.key} class={differs ? 'resident-differs' : undefined}>
                  <th scope="row">
                    {row.label}
                    {differs && <span class="resident-sr-only">{t('resident.differs')}</span>}
                  </th>
                  {row.values.map((v, i) => (
                    <td key={records[i]!.id} class="resident-value">
                      <ShownText value={v} />
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Conflicts and alerts

function IssueDetails(props: { issue: Issue }) {
  const t = useT();
  const d = props.issue.details;
  const field = typeof d.field === 'string' ? d.field : '';
  if (Array.isArray(d.values)) {
    return (
      <ul class="resident-issue-values">
        {(d.values as { value: unknown; sources?: string[] }[]).map((v, i) => (
          <li key={i}>
            {t('resident.issueValue', { value: show(field, v.value), sources: (v.sources ?? []).map((s) => messageOr(`sourceShort.${s}`, s)).join('、') })}
          </li>
        ))}
      </ul>
    );
  }
  if (props.issue.kind.endsWith('_receiving_allowance')) {
    return <p>{t('resident.allowanceAlert', { statusDate: show('', d.statusDate), approvedOn: show('', d.approvedOn), amount: typeof d.monthlyAmount === 'number' ? d.monthlyAmount.toLocaleString(lang()) : show('', d.monthlyAmount) })}</p>;
  }
  if (props.issue.kind === 'shared_id_number') {
    return <p>{t('resident.sharedId', { idNumber: show('', d.idNumber), count: Array.isArray(d.residentKeys) ? d.residentKeys.length : '?' })}</p>;
  }
  if (props.issue.kind === 'stale_decision') {
    return <p>{t('resident.staleItem', { field: goldenLabel(field), date: typeof d.decidedAt === 'string' ? formatDateTime(d.decidedAt) : '—', record: show('', d.sourceRecordId), change: messageOr(`resident.staleChange.${String(d.change)}`, String(d.change)) })}</p>;
  }
  return null;
}

function Issues(props: { issues: Issue[] }) {
  const t = useT();
  const session = useSession();
  return (
    <section class="panel resident-issues" aria-labelledby="resident-issues-title">
      <h2 id="resident-issues-title">{t('resident.issues')}</h2>
      {props.issues.length === 0 ? (
        <p class="muted">{t('resident.noIssues')}</p>
      ) : (
        <>
          <ul class="resident-issue-list">
            {props.issues.map((issue) => (
              <li key={issue.id} class={`resident-issue resident-severity-${issue.severity}`}>
                <div>
                  <span class="resident-tag">{messageOr(`resident.category.${issue.category}`, issue.category)}</span>
                  <span class="resident-tag">{messageOr(`resident.severity.${issue.severity}`, issue.severity)}</span>
                  <strong>{messageOr(`resident.kind.${issue.kind}`, issue.kind)}</strong>
                  <span class="muted"> · {t('resident.issueSince', { date: formatDateTime(issue.createdAt) })}</span>
                </div>
                <IssueDetails issue={issue} />
              </li>
            ))}
          </ul>
          {session.can('conflicts:read') && <a href={href(['conflicts'])}>{t('resident.openConflicts')}</a>}
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Version history

function Timeline(props: { history: History | undefined; error: unknown }) {
  const t = useT();
  const versions = props.history ? [...props.history.versions].sort((a, b) => b.version - a.version) : [];
  return (
    <section class="panel resident-history" aria-labelledby="resident-history-title">
      <h2 id="resident-history-title">{t('resident.history')}</h2>
      {props.error ? (
        <ErrorBanner error={props.error} />
      ) : !props.history ? (
        <Loading />
      ) : versions.length === 0 ? (
        <p class="muted">{t('resident.noHistory')}</p>
      ) : (
        <ol class="resident-timeline">
          {versions.map((v, i) => {
            const previous = versions[i + 1];
            const delta = previous ? v.members.length - previous.members.length : 0;
            const first = !previous;
            return (
              <li key={v.version}>
                <h3>
                  {t('resident.version', { version: v.version })} <span class="muted">{formatDateTime(v.createdAt)}</span>
                </h3>
                <p class="muted">
                  {delta === 0 ? t('resident.versionRecords', { count: v.members.length }) : t('resident.versionRecordsDelta', { count: v.members.length, delta: delta > 0 ? `+${delta}` : String(delta) })}
                </p>
                {first && v.changes.every((c) => c.kind === 'added') ? (
                  <p>{t('resident.created')}</p>
                ) : v.changes.length === 0 ? (
                  <p class="muted">{t('resident.noVisibleChanges')}</p>
                ) : (
                  <ul class="resident-changes">
                    {v.changes.map((c) => (
                      <li key={c.field}>
                        <span class="resident-change-field">{t('resident.changeLine', { field: goldenLabel(c.field), kind: messageOr(`resident.change.${c.kind}`, c.kind) })}</span>
                        {c.kind !== 'provenance' && c.field !== 'staleDecisions' && (
                          <span class="resident-change-values">
                            {' '}
                            {show(c.field, c.from)} → {show(c.field, c.to)}
                          </span>
                        )}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Auditor actions: merge, split, undo

function MergeForm(props: { id: string; records: number; onDone(n: Notice): void }) {
  const t = useT();
  const [other, setOther] = useState('');
  const [preview, setPreview] = useState<Detail | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function load(e: Event) {
    e.preventDefault();
    setError(null);
    setPreview(null);
    const wanted = other.trim();
    if (!wanted) return;
    setBusy(true);
    try {
      const found = await api.get<Detail>(`/v1/residents/${encodeURIComponent(wanted)}`);
      if (found.id === props.id) setError(new Error(t('resident.sameResident')));
      else setPreview(found);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function merge(e: Event) {
    e.preventDefault();
    if (!preview) return;
    setBusy(true);
    setError(null);
    try {
      await api.post<ActionResponse>(`/v1/residents/${encodeURIComponent(props.id)}/merge`, { otherResidentId: preview.id, reason: reason.trim() });
      props.onDone({ kind: 'merged', other: preview.id, before: props.records });
      setPreview(null);
      setOther('');
      setReason('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const g = preview?.golden;
  return (
    <div class="resident-form">
      <h3 id="resident-merge-title">{t('resident.merge')}</h3>
      <p class="muted">{t('resident.mergeIntro')}</p>
      <form onSubmit={load} class="resident-inline" aria-labelledby="resident-merge-title">
        <label for="resident-merge-other">{t('resident.mergeOther')}</label>
        <input id="resident-merge-other" inputMode="numeric" pattern="[0-9]*" size={10} value={other} onInput={(e) => setOther(e.currentTarget.value)} />
        <button type="submit" class="secondary" disabled={busy || other.trim() === ''}>
          {t('resident.preview')}
        </button>
      </form>
      {preview && g && (
        <form onSubmit={merge} class="resident-preview" aria-labelledby="resident-merge-preview">
          <p>
            <strong id="resident-merge-preview">{t('resident.previewOf', { name: g.name?.value ?? '—', id: preview.id })}</strong>{' '}
            <a href={href(['residents', preview.id])} target="_blank" rel="noopener">
              {t('resident.openOther', { id: preview.id })}
            </a>
          </p>
          <p class="muted">{t('resident.previewLine', { birthDate: g.birthDate?.value ?? '—', idNumber: g.idNumber?.value ?? '—', count: preview.records.length })}</p>
          <label for="resident-merge-reason">{t('resident.reason')}</label>
          <textarea id="resident-merge-reason" rows={2} required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          <button type="submit" disabled={busy || reason.trim() === ''}>
            {t('resident.confirmMerge')}
          </button>
        </form>
      )}
      {error ? <ErrorBanner error={error} /> : null}
    </div>
  );
}

function SplitForm(props: { id: string; records: LinkedRecord[]; selected: string[]; onDone(n: Notice): void }) {
  const t = useT();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const n = props.selected.length;
  const valid = n >= 1 && n < props.records.length && reason.trim() !== '';

  async function split(e: Event) {
    e.preventDefault();
    if (!valid) return;
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<ActionResponse>(`/v1/residents/${encodeURIComponent(props.id)}/split`, { recordIds: props.selected, reason: reason.trim() });
      const newId = res.action.newResidentId ?? res.residentIds.find((r) => r !== props.id) ?? '';
      props.onDone({ kind: 'split', newId, count: n, before: props.records.length });
      setReason('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="resident-form" onSubmit={split} aria-labelledby="resident-split-title">
      <h3 id="resident-split-title">{t('resident.split')}</h3>
      <p class="muted">{t('resident.splitIntro')}</p>
      <p>{n === 0 ? t('resident.splitNone') : t('resident.splitSelected', { count: n, ids: props.selected.join('、') })}</p>
      <label for="resident-split-reason">{t('resident.reason')}</label>
      <textarea id="resident-split-reason" rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      <button type="submit" disabled={busy || !valid}>
        {t('resident.confirmSplit')}
      </button>
      {error ? <ErrorBanner error={error} /> : null}
    </form>
  );
}

function ActionList(props: { actions: AuditorAction[] | undefined; error: unknown; records: number; onDone(n: Notice): void }) {
  const t = useT();
  const [confirming, setConfirming] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function undo(actionId: string) {
    setBusy(true);
    setError(null);
    try {
      await api.post<ActionResponse>(`/v1/actions/${encodeURIComponent(actionId)}/undo`, reason.trim() ? { reason: reason.trim() } : {});
      setConfirming(null);
      setReason('');
      props.onDone({ kind: 'undone', actionId, before: props.records });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="resident-action-list">
      <h3>{t('resident.history.actions')}</h3>
      {props.error ? (
        <ErrorBanner error={props.error} />
      ) : !props.actions ? (
        <Loading />
      ) : props.actions.length === 0 ? (
        <p class="muted">{t('resident.noActions')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('resident.action.col.kind')}</th>
              <th scope="col">{t('resident.action.col.time')}</th>
              <th scope="col">{t('resident.action.col.actor')}</th>
              <th scope="col">{t('resident.action.col.residents')}</th>
              <th scope="col">{t('resident.action.col.reason')}</th>
              <th scope="col">{t('resident.action.col.state')}</th>
            </tr>
          </thead>
          <tbody>
            {props.actions.map((a) => {
              const kind = messageOr(`resident.action.${a.kind}`, a.kind);
              return (
                <tr key={a.id}>
                  <td>{kind}</td>
                  <td>{formatDateTime(a.createdAt)}</td>
                  <td>{a.actor.name}</td>
                  <td>
                    {a.residentIds.map((r, i) => (
                      <span key={r}>
                        {i > 0 && '、'}
                        <a href={href(['residents', r])}>{r}</a>
                      </span>
                    ))}
                  </td>
                  <td>{a.reason ?? '—'}</td>
                  <td>
                    {a.undoneAt ? (
                      <span class="muted">{t('resident.action.undoneAt', { date: formatDateTime(a.undoneAt), name: a.undoneBy?.name ?? '—' })}</span>
                    ) : confirming === a.id ? (
                      <div class="resident-undo-confirm">
                        <label for={`resident-undo-reason-${a.id}`}>{t('resident.undoReason')}</label>
                        <input id={`resident-undo-reason-${a.id}`} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
                        <button type="button" class="primary" disabled={busy} onClick={() => void undo(a.id)}>
                          {t('resident.confirmUndo')}
                        </button>
                        <button type="button" disabled={busy} onClick={() => setConfirming(null)}>
                          {t('common.cancel')}
                        </button>
                      </div>
                    ) : (
                      <>
                        {t('resident.action.active')}{' '}
                        <button type="button" aria-label={t('resident.undoLabel', { id: a.id, kind })} onClick={() => setConfirming(a.id)}>
                          {t('resident.undo')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {error ? <ErrorBanner error={error} /> : null}
    </div>
  );
}

/**
 * Imports (#/imports, #/imports/{batch}): upload a department's export files (picked or
 * dropped), watch the import run, read its summary and rejected rows (CSV download), and the
 * history of batches per source.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBanner, Loading, Page, SourceName, useLoad } from '../components/ui.js';
import { formatDateTime, formatNumber, messageOr, useT, type MessageKey } from '../i18n/index.js';
import { href, navigate, type Route } from '../router.js';
import { useSession } from '../session.js';

// ---------------------------------------------------------------------------------------------
// The API's shapes (src/api/routes/imports.routes.ts)

interface BatchSummary {
  id: string;
  source: string;
  status: string;
  partial: boolean;
  createdAt: string;
  finishedAt: string | null;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsSkipped: number;
  idsFlagged: number;
  records: { created: number; updated: number; unchanged: number; missing: number };
  rejectReasons: Record<string, number>;
  flagCounts: Record<string, number>;
  error: { code: string; message: string } | null;
  files: {
    name: string;
    sha256: string;
    status: string;
    format: string | null;
    encoding: string | null;
    headerRow: number | null;
    rowsRead: number;
    rowsAccepted: number;
    rowsRejected: number;
    rowsSkipped: number;
    alreadyImportedInBatch: string | null;
  }[];
}
interface Progress {
  phase: string;
  fileIndex: number;
  fileCount: number;
  fileName: string;
  rowsDone: number;
  bytesDone: number;
  bytesTotal: number;
  accepted: number;
  rejected: number;
}
interface ImportView {
  batch: BatchSummary;
  progress: Progress | null;
  linking: boolean;
}
interface Created {
  noOp: boolean;
  batch: BatchSummary | null;
  files: { name: string; sha256: string; alreadyImportedInBatch: string | null }[];
}
interface RejectedRow {
  file: string;
  row: number;
  reasons: { field: string; code: string; message: string }[];
  raw: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Which sources a role imports and sees (as src/access/roles.ts: sourcesRoleMayImport, mayReadImportOf)

const SOURCES = ['police', 'family-planning', 'floating-population', 'minimum-allowance'];
const IMPORTABLE: Record<string, string[]> = {
  police: ['police'],
  'family-planning': ['family-planning', 'floating-population'],
  'civil-affairs': ['minimum-allowance'],
  admin: SOURCES,
};
const importable = (role: string) => IMPORTABLE[role] ?? [];
const readable = (role: string) => (role === 'auditor' ? SOURCES : importable(role));

const POLL_MS = 500;
const REJECTS_SHOWN = 200;

// ---------------------------------------------------------------------------------------------
// The page

export function ImportsPage(props: { route: Route }) {
  const t = useT();
  const session = useSession();
  const batchId = props.route.segments[1];
  const sources = importable(session.me.role);
  const mayUpload = session.can('imports:create') && sources.length > 0;
  // Bumped when an import starts or ends, so that the history shows it.
  const [historyTick, setHistoryTick] = useState(0);
  const bump = () => setHistoryTick((n) => n + 1);

  return (
    <Page title={t('imports.title')}>
      <div class="imports-layout">
        <div class="imports-side">
          {mayUpload ? <UploadForm sources={sources} onStarted={bump} /> : <p class="panel muted">{t('imports.mayNotImport')}</p>}
          <BatchHistory sources={readable(session.me.role)} current={batchId} tick={historyTick} />
        </div>
        <div class="imports-main">{batchId ? <BatchView key={batchId} id={batchId} onSettled={bump} /> : <p class="panel muted">{t('imports.choose')}</p>}</div>
      </div>
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------
// Upload

function UploadForm(props: { sources: string[]; onStarted(): void }) {
  const t = useT();
  const [source, setSource] = useState(props.sources[0] ?? '');
  const [files, setFiles] = useState<File[]>([]);
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [noOp, setNoOp] = useState<Created['files'] | null>(null);

  const add = (list: FileList | null | undefined) => {
    if (!list || list.length === 0) return;
    const incoming = Array.from(list);
    setFiles((old) => [...old.filter((o) => !incoming.some((n) => n.name === o.name && n.size === o.size)), ...incoming]);
    setNoOp(null);
  };

  // A file dropped beside the zone must not make the browser leave the page to open it.
  useEffect(() => {
    const stop = (e: Event) => e.preventDefault();
    addEventListener('dragover', stop);
    addEventListener('drop', stop);
    return () => {
      removeEventListener('dragover', stop);
      removeEventListener('drop', stop);
    };
  }, []);

  async function submit(e: Event) {
    e.preventDefault();
    if (files.length === 0 || !source) return;
    setBusy(true);
    setError(null);
    setNoOp(null);
    try {
      const form = new FormData();
      form.append('source', source); // first: the API checks the role may import it before reading files
      for (const f of files) form.append('file', f, f.name);
      const created = await api.upload<Created>('/v1/imports', form);
      setFiles([]);
      if (created.noOp || !created.batch) setNoOp(created.files);
      else {
        props.onStarted();
        navigate(['imports', created.batch.id]);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel imports-upload" onSubmit={submit} aria-labelledby="imports-upload-title">
      <h2 id="imports-upload-title">{t('imports.upload')}</h2>
      <p class="muted">{t('imports.uploadIntro')}</p>
      <div class="imports-field">
        <label for="imports-source">{t('imports.source')}</label>
        <select id="imports-source" value={source} onChange={(e) => setSource(e.currentTarget.value)}>
          {props.sources.map((s) => (
            <option key={s} value={s}>
              {t(`source.${s}` as MessageKey)}
            </option>
          ))}
        </select>
      </div>
      <div
        class={`imports-drop${dragging ? ' imports-drop-active' : ''}`}
        role="group"
        aria-label={t('imports.dropZone')}
        onDragEnter={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragOver={(e) => {
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          add(e.dataTransfer?.files);
        }}
      >
        <label for="imports-file" class="imports-file-label">
          {t('imports.files')}
        </label>
        <input
          id="imports-file"
          class="imports-file-input"
          type="file"
          multiple
          accept=".csv,.txt,.xlsx,.xls,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel"
          onChange={(e) => {
            add(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
        <p class="muted">{dragging ? t('imports.dropActive') : t('imports.dropHint')}</p>
      </div>
      {files.length === 0 ? (
        <p class="muted">{t('imports.noFiles')}</p>
      ) : (
        <div>
          <h3>{t('imports.chosen', { count: files.length })}</h3>
          <ul class="imports-chosen">
            {files.map((f) => (
              <li key={`${f.name}-${f.size}`}>
                <span>{f.name}</span> <span class="muted">{t('imports.size', { size: formatNumber(Math.max(1, Math.round(f.size / 1024))) })}</span>{' '}
                <button type="button" class="imports-remove" aria-label={t('imports.remove', { name: f.name })} onClick={() => setFiles(files.filter((x) => x !== f))}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <button type="submit" disabled={busy || files.length === 0}>
        {busy ? t('imports.starting') : t('imports.start')}
      </button>
      <div role="status" class="imports-noop">
        {noOp && (
          <>
            <p>{t('imports.noOp')}</p>
            <ul>
              {noOp.map((f) => (
                <li key={f.sha256}>
                  {f.alreadyImportedInBatch ? (
                    <a href={href(['imports', f.alreadyImportedInBatch])}>{t('imports.alreadyIn', { name: f.name, batch: f.alreadyImportedInBatch })}</a>
                  ) : (
                    f.name
                  )}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      {error ? <ErrorBanner error={error} /> : null}
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// One batch: live progress, then the summary and the rejected rows

function settled(view: ImportView): boolean {
  const terminal = view.batch.status === 'completed' || view.batch.status === 'failed';
  // The API process that runs the import reports progress until linking has ended too.
  return terminal && !view.linking && view.progress === null;
}

function BatchView(props: { id: string; onSettled(): void }) {
  const t = useT();
  const [view, setView] = useState<ImportView | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wasRunning = false;
    const poll = async () => {
      try {
        const next = await api.get<ImportView>(`/v1/imports/${encodeURIComponent(props.id)}`);
        if (!live) return;
        setView(next);
        setError(null);
        if (!settled(next)) {
          wasRunning = true;
          timer = setTimeout(() => void poll(), POLL_MS);
        } else if (wasRunning) props.onSettled();
      } catch (err) {
        if (!live) return;
        setError(err);
      }
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [props.id]);

  if (error && !view) return <ErrorBanner error={error} />;
  if (!view) return <Loading />;
  const b = view.batch;
  const done = settled(view);
  return (
    <section class="panel imports-batch" aria-labelledby="imports-batch-title">
      <header class="imports-batch-header">
        <h2 id="imports-batch-title">{t('imports.batch', { id: b.id })}</h2>
        <SourceName source={b.source} />
        <span class={`imports-status imports-status-${b.status}`}>{messageOr(`imports.status.${b.status}`, b.status)}</span>
        {b.partial && <span class="muted">{t('imports.partial')}</span>}
        <span class="muted">{formatDateTime(b.createdAt)}</span>
      </header>
      <ProgressPanel view={view} done={done} />
      {error ? <ErrorBanner error={error} /> : null}
      {(b.status === 'completed' || b.status === 'failed') && (
        <>
          <Summary batch={b} />
          <Files batch={b} />
          {done && <Rejects batch={b} />}
        </>
      )}
    </section>
  );
}

function ProgressPanel(props: { view: ImportView; done: boolean }) {
  const t = useT();
  const { batch: b, progress: p, linking } = props.view;
  let text: string;
  if (b.status === 'failed') text = t('imports.failed', { message: b.error ? `${b.error.message} (${b.error.code})` : '—' });
  else if (props.done) text = t('imports.completed');
  else if (linking) text = t('imports.linking');
  else if (p?.phase === 'reading')
    text = t('imports.phase.reading', { file: p.fileName, index: p.fileIndex + 1, count: p.fileCount, rows: formatNumber(p.rowsDone), accepted: formatNumber(p.accepted), rejected: formatNumber(p.rejected) });
  else if (p?.phase === 'finishing') text = t('imports.phase.finishing', { rows: formatNumber(p.rowsDone) });
  else if (p?.phase === 'done') text = t('imports.phase.done', { rows: formatNumber(p.rowsDone) });
  else if (b.status === 'queued') text = t('imports.queued');
  else text = t('imports.running');

  // Bytes read while reading; full when done; indeterminate (no value) while linking or waiting.
  const value = props.done || b.status === 'failed' ? 1 : p && p.bytesTotal > 0 && !linking ? Math.min(1, p.bytesDone / p.bytesTotal) : undefined;
  return (
    <div class="imports-progress" role="status" aria-label={t('imports.progress')}>
      <label for="imports-progress-bar">{t('imports.progressBar')}</label>
      {/* Two elements: a bar once indeterminate (no value) does not take a value again in every browser. */}
      {value === undefined ? <progress key="busy" id="imports-progress-bar" /> : <progress key="bar" id="imports-progress-bar" max={1} value={value} />}
      <p class={b.status === 'failed' ? 'error' : props.done ? 'imports-done' : undefined}>{text}</p>
    </div>
  );
}

function Summary(props: { batch: BatchSummary }) {
  const t = useT();
  const b = props.batch;
  const top = (counts: Record<string, number>, prefix: string) =>
    Object.entries(counts)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 5)
      .map(([code, count]) => (
        <li key={code}>{t('imports.reasonCount', { reason: messageOr(`${prefix}.${code}`, code), count: formatNumber(count) })}</li>
      ));
  const cell = (label: MessageKey, n: number, cls = '') => (
    <div class={`imports-stat ${cls}`}>
      <dt>{t(label)}</dt>
      <dd>{formatNumber(n)}</dd>
    </div>
  );
  return (
    <div class="imports-summary">
      <h3>{t('imports.summary')}</h3>
      <dl class="imports-stats">
        {cell('imports.rowsRead', b.rowsRead)}
        {cell('imports.rowsAccepted', b.rowsAccepted, 'imports-good')}
        {cell('imports.rowsRejected', b.rowsRejected, b.rowsRejected > 0 ? 'imports-bad' : '')}
        {cell('imports.idsFlagged', b.idsFlagged, b.idsFlagged > 0 ? 'imports-warn' : '')}
        {cell('imports.rowsSkipped', b.rowsSkipped)}
      </dl>
      <h4>{t('imports.records')}</h4>
      <dl class="imports-stats">
        {cell('imports.created', b.records.created)}
        {cell('imports.updated', b.records.updated)}
        {cell('imports.unchanged', b.records.unchanged)}
        {cell('imports.missing', b.records.missing)}
      </dl>
      <div class="imports-reasons">
        {Object.keys(b.rejectReasons).length > 0 && (
          <div>
            <h4>{t('imports.topReasons')}</h4>
            <ul>{top(b.rejectReasons, 'imports.reason')}</ul>
          </div>
        )}
        {Object.keys(b.flagCounts).length > 0 && (
          <div>
            <h4>{t('imports.flags')}</h4>
            <ul>{top(b.flagCounts, 'imports.flag')}</ul>
          </div>
        )}
      </div>
    </div>
  );
}

function Files(props: { batch: BatchSummary }) {
  const t = useT();
  return (
    <div class="imports-files">
      <h3>{t('imports.filesOfBatch')}</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('imports.col.file')}</th>
            <th scope="col">{t('imports.col.format')}</th>
            <th scope="col">{t('imports.col.headerRow')}</th>
            <th scope="col">{t('imports.col.rows')}</th>
            <th scope="col">{t('imports.col.status')}</th>
          </tr>
        </thead>
        <tbody>
          {props.batch.files.map((f) => (
            <tr key={f.sha256}>
              <td>{f.name}</td>
              <td>{[f.format, f.encoding].filter(Boolean).join(' · ') || '—'}</td>
              <td>{f.headerRow ?? '—'}</td>
              <td>{t('imports.rowsTriple', { read: formatNumber(f.rowsRead), accepted: formatNumber(f.rowsAccepted), rejected: formatNumber(f.rowsRejected) })}</td>
              <td>
                {f.alreadyImportedInBatch ? (
                  <a href={href(['imports', f.alreadyImportedInBatch])}>{t('imports.alreadyIn', { name: f.name, batch: f.alreadyImportedInBatch })}</a>
                ) : (
                  messageOr(`imports.status.${f.status}`, f.status)
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function rawText(raw: Record<string, unknown>): string {
  return Object.entries(raw)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}：${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('；');
}

function Rejects(props: { batch: BatchSummary }) {
  const t = useT();
  const b = props.batch;
  const rejects = useLoad(() => (b.rowsRejected > 0 ? api.get<{ items: RejectedRow[] }>(`/v1/imports/${encodeURIComponent(b.id)}/rejects`) : Promise.resolve({ items: [] })), [b.id, b.rowsRejected]);
  const [downloading, setDownloading] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function download() {
    setDownloading(true);
    setError(null);
    try {
      await api.download(`/v1/imports/${encodeURIComponent(b.id)}/rejects`, { format: 'csv' }, `rejects-batch-${b.id}.csv`);
    } catch (err) {
      setError(err);
    } finally {
      setDownloading(false);
    }
  }

  return (
    <div class="imports-rejects">
      <div class="imports-rejects-header">
        <h3>{t('imports.rejects', { count: formatNumber(b.rowsRejected) })}</h3>
        {b.rowsRejected > 0 && (
          <button type="button" onClick={() => void download()} disabled={downloading}>
            {downloading ? t('imports.downloading') : t('imports.download')}
          </button>
        )}
      </div>
      {error ? <ErrorBanner error={error} /> : null}
      {b.rowsRejected === 0 ? (
        <p class="muted">{t('imports.noRejects')}</p>
      ) : rejects.error ? (
        <ErrorBanner error={rejects.error} onRetry={rejects.reload} />
      ) : !rejects.data ? (
        <Loading />
      ) : (
        <>
          {rejects.data.items.length > REJECTS_SHOWN && <p class="muted">{t('imports.rejectsShown', { shown: REJECTS_SHOWN })}</p>}
          <div class="imports-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('imports.col.file')}</th>
                  <th scope="col">{t('imports.col.row')}</th>
                  <th scope="col">{t('imports.col.reasons')}</th>
                  <th scope="col">{t('imports.col.raw')}</th>
                </tr>
              </thead>
              <tbody>
                {rejects.data.items.slice(0, REJECTS_SHOWN).map((r) => (
                  <tr key={`${r.file}-${r.row}`}>
                    <td>{r.file}</td>
                    <td>{r.row}</td>
                    <td>{r.reasons.map((x) => messageOr(`imports.reason.${x.code}`, x.message)).join('；')}</td>
                    <td class="imports-raw">{rawText(r.raw)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// History of batches

function BatchHistory(props: { sources: string[]; current: string | undefined; tick: number }) {
  const t = useT();
  const [source, setSource] = useState('');
  const list = useLoad(() => api.get<{ items: BatchSummary[] }>('/v1/imports', { source: source || undefined, limit: 50 }), [source, props.tick]);
  return (
    <section class="panel imports-history" aria-labelledby="imports-history-title">
      <div class="imports-history-header">
        <h2 id="imports-history-title">{t('imports.history')}</h2>
        {props.sources.length > 1 && (
          <span class="imports-field">
            <label for="imports-history-source">{t('imports.historySource')}</label>
            <select id="imports-history-source" value={source} onChange={(e) => setSource(e.currentTarget.value)}>
              <option value="">{t('imports.allSources')}</option>
              {props.sources.map((s) => (
                <option key={s} value={s}>
                  {t(`source.${s}` as MessageKey)}
                </option>
              ))}
            </select>
          </span>
        )}
      </div>
      {list.error ? (
        <ErrorBanner error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.items.length === 0 ? (
        <p class="muted">{t('imports.noHistory')}</p>
      ) : (
        <table class="imports-history-table">
          <thead>
            <tr>
              <th scope="col">{t('imports.col.batch')}</th>
              <th scope="col">{t('imports.col.source')}</th>
              <th scope="col">{t('imports.col.time')}</th>
              <th scope="col">{t('imports.col.status')}</th>
              <th scope="col">{t('imports.col.counts')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((b) => (
              <tr key={b.id} class={b.id === props.current ? 'imports-current' : undefined}>
                <td>
                  <a href={href(['imports', b.id])} aria-current={b.id === props.current ? 'page' : undefined}>
                    {t('imports.batchShort', { id: b.id })}
                  </a>
                </td>
                <td>
                  <SourceName source={b.source} short />
                </td>
                <td>{formatDateTime(b.createdAt)}</td>
                <td>
                  <span class={`imports-status imports-status-${b.status}`}>{messageOr(`imports.status.${b.status}`, b.status)}</span>
                </td>
                <td>
                  {formatNumber(b.rowsRead)} / {formatNumber(b.rowsRejected)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

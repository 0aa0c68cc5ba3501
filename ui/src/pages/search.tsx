/**
 * Search (#/search?q=…): one box for an ID number, a name (characters or pinyin) or an address,
 * an optional birth date; results as a table, 20 a page. The query lives in the hash, so that
 * back and forward go through earlier searches.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { codeName, fieldLabel } from '../components/record-values.js';
import { ErrorBanner, Loading, Page, SourceName, useLoad } from '../components/ui.js';
import { formatNumber, messageOr, t, useT } from '../i18n/index.js';
import { href, navigate, type Route } from '../router.js';

const PAGE_SIZE = 20;

export interface ResidentSummary {
  name: string | null;
  idNumber?: string | null;
  birthDate: string | null;
  sex: string | null;
  status: string | null;
  sources: string[];
  community: string | null;
}

interface Answer {
  q: string;
  birthDate: string;
  offset: number;
  response: SearchResponse;
}

interface SearchResponse {
  items: { id: string; score: number; reasons: string[]; resident: ResidentSummary }[];
  next: string | null;
  total: number;
}

export function SearchPage(props: { route: Route }) {
  useT();
  const q = props.route.query.get('q') ?? '';
  const birthDate = props.route.query.get('birth_date') ?? '';
  const offset = Math.max(0, Number(props.route.query.get('offset') ?? 0) || 0);
  const asked = q.trim() !== '' || birthDate !== '';

  // The form follows the hash (back / forward), and the hash follows a submitted form.
  const [text, setText] = useState(q);
  const [date, setDate] = useState(birthDate);
  useEffect(() => setText(q), [q]);
  useEffect(() => setDate(birthDate), [birthDate]);
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (!asked) box.current?.focus();
  }, []);

  // Each answer keeps the query it answers: while the next loads, the last one stays whole.
  const result = useLoad<Answer | null>(
    async () =>
      asked ? { q, birthDate, offset, response: await api.get<SearchResponse>('/v1/residents', { q: q.trim() || undefined, birth_date: birthDate || undefined, limit: PAGE_SIZE, offset }) } : null,
    [q, birthDate, offset],
  );

  function submit(e: Event) {
    e.preventDefault();
    navigate(['search'], { q: text.trim(), birth_date: date });
  }

  return (
    <Page title={t('search.title')}>
      <form class="panel search-form" role="search" aria-label={t('search.form')} onSubmit={submit}>
        <div class="search-field search-field-main">
          <label for="search-q">{t('search.box')}</label>
          <input id="search-q" ref={box} type="search" value={text} autocomplete="off" spellcheck={false} aria-describedby="search-q-hint" onInput={(e) => setText(e.currentTarget.value)} />
        </div>
        <div class="search-field">
          <label for="search-birth">{t('search.birthDate')}</label>
          <input id="search-birth" type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />
        </div>
        <button type="submit">{t('search.submit')}</button>
        <p id="search-q-hint" class="muted search-hint">
          {t('search.boxHint')}
        </p>
      </form>
      {!asked ? (
        <p class="muted">{t('search.prompt')}</p>
      ) : result.error ? (
        <SearchError error={result.error} onRetry={result.reload} />
      ) : !result.data ? (
        <Loading />
      ) : (
        <Results answer={result.data} loading={result.loading} />
      )}
    </Page>
  );
}

function SearchError(props: { error: unknown; onRetry: () => void }) {
  const t = useT();
  if (props.error instanceof ApiError && props.error.status === 400) {
    return (
      <div class="error" role="alert">
        <p>{t('search.invalid')}</p>
        <p class="muted">{t('search.detail', { message: props.error.message })}</p>
      </div>
    );
  }
  return <ErrorBanner error={props.error} onRetry={props.onRetry} />;
}

function Results(props: { answer: Answer; loading: boolean }) {
  const t = useT();
  const { response: data, offset } = props.answer;
  const from = offset + 1;
  const to = offset + data.items.length;
  const page = Math.floor(offset / PAGE_SIZE) + 1;
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  const go = (o: number) => navigate(['search'], { q: props.answer.q, birth_date: props.answer.birthDate, offset: o > 0 ? o : undefined });

  return (
    <section class="search-results" aria-labelledby="search-results-title" aria-busy={props.loading}>
      <h2 id="search-results-title">{t('search.results')}</h2>
      <p role="status" class="search-count">
        {data.total === 0 ? t('search.empty') : t('search.count', { total: formatNumber(data.total), from, to })}
      </p>
      {data.total === 0 ? (
        <p class="muted">{t('search.emptyHint')}</p>
      ) : (
        <>
          <table class="search-table">
            <thead>
              <tr>
                <th scope="col">{fieldLabel('name')}</th>
                <th scope="col">{fieldLabel('idNumber')}</th>
                <th scope="col">{fieldLabel('birthDate')}</th>
                <th scope="col">{fieldLabel('sex')}</th>
                <th scope="col">{t('search.col.community')}</th>
                <th scope="col">{t('search.col.sources')}</th>
                <th scope="col">{t('search.col.reasons')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map(({ id, reasons, resident: r }) => (
                <tr key={id}>
                  <td>
                    <a href={href(['residents', id])}>{r.name ?? t('search.unknownName')}</a>
                    {r.status && r.status !== 'alive' && <span class="search-status">{codeName('status', r.status)}</span>}
                  </td>
                  <td class="search-id">{r.idNumber ?? '—'}</td>
                  <td>{r.birthDate ?? '—'}</td>
                  <td>{r.sex ? codeName('sex', r.sex) : '—'}</td>
                  <td>{r.community ?? '—'}</td>
                  <td>
                    <span class="search-sources">
                      {r.sources.map((s) => (
                        <SourceName key={s} source={s} short />
                      ))}
                    </span>
                  </td>
                  <td class="muted">{reasons.map((reason) => messageOr(`search.reason.${reason}`, reason)).join('、')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {pages > 1 && (
            <nav class="search-paging" aria-label={t('search.paging')}>
              <button type="button" disabled={offset === 0} onClick={() => go(Math.max(0, offset - PAGE_SIZE))}>
                {t('common.previous')}
              </button>
              <span>{t('search.page', { page, pages })}</span>
              <button type="button" disabled={data.next === null} onClick={() => data.next !== null && go(Number(data.next))}>
                {t('common.next')}
              </button>
            </nav>
          )}
        </>
      )}
    </section>
  );
}

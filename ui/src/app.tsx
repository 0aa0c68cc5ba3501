import type { FunctionComponent } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, storedKey, storeKey, type Me } from './api.js';
import { ErrorBanner, Loading } from './components/ui.js';
import { lang, setLang, useT, type MessageKey } from './i18n/index.js';
import { AuditPage } from './pages/audit.js';
import { ConflictsPage } from './pages/conflicts.js';
import { ImportsPage } from './pages/imports.js';
import { ResidentPage } from './pages/resident.js';
import { ReviewPage } from './pages/review.js';
import { SearchPage } from './pages/search.js';
import { SignIn } from './pages/sign-in.js';
import { StatsPage } from './pages/stats.js';
import { href, useRoute, type Route } from './router.js';
import { SessionContext, type Session } from './session.js';

interface PageDef {
  /** First path segment. */
  path: string;
  /** The right the page needs (src/access/roles.ts); pages a role lacks are not offered. */
  action: string;
  nav?: MessageKey;
  component: FunctionComponent<{ route: Route }>;
}

const PAGES: PageDef[] = [
  { path: 'search', action: 'residents:search', nav: 'nav.search', component: SearchPage },
  { path: 'residents', action: 'residents:read', component: ResidentPage },
  { path: 'imports', action: 'imports:read', nav: 'nav.imports', component: ImportsPage },
  { path: 'review', action: 'review:read', nav: 'nav.review', component: ReviewPage },
  { path: 'conflicts', action: 'conflicts:read', nav: 'nav.conflicts', component: ConflictsPage },
  { path: 'stats', action: 'stats:read', nav: 'nav.stats', component: StatsPage },
  { path: 'audit', action: 'audit:read', nav: 'nav.audit', component: AuditPage },
];

export function App() {
  const t = useT();
  const route = useRoute();
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(storedKey() !== null);
  const [error, setError] = useState<unknown>(null);

  // A key kept from earlier in this tab: check it is still good.
  useEffect(() => {
    if (!checking) return;
    api.get<Me>('/v1/me').then(
      (m) => {
        setMe(m);
        setChecking(false);
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) storeKey(null);
        else setError(err);
        setChecking(false);
      },
    );
  }, [checking]);

  const session = useMemo<Session | null>(
    () =>
      me && {
        me,
        can: (action) => me.permissions.includes(action),
        signOut() {
          storeKey(null);
          setMe(null);
          location.hash = '';
        },
      },
    [me],
  );

  const languageButton = (
    <button type="button" class="lang" title={t('lang.label')} lang={lang() === 'en' ? 'zh-CN' : 'en'} onClick={() => setLang(lang() === 'en' ? 'zh-CN' : 'en')}>
      {t('lang.switch')}
    </button>
  );

  if (checking) return <Loading />;
  if (!session) {
    return (
      <>
        <header class="topbar">
          <span class="brand">{t('app.title')}</span>
          {languageButton}
        </header>
        {error ? <ErrorBanner error={error} /> : null}
        <SignIn
          onSignedIn={(key, m) => {
            storeKey(key);
            setMe(m);
          }}
        />
      </>
    );
  }

  const allowed = PAGES.filter((p) => session.can(p.action));
  const first = allowed.find((p) => p.nav);
  const page = PAGES.find((p) => p.path === route.segments[0]) ?? (route.segments.length === 0 ? first : undefined);
  const Component = page?.component;

  return (
    <SessionContext.Provider value={session}>
      <header class="topbar">
        <span class="brand">{t('app.title')}</span>
        <span class="who">{t('signIn.signedInAs', { name: session.me.name, role: t(`role.${session.me.role}` as MessageKey) })}</span>
        {languageButton}
        <button type="button" onClick={session.signOut}>
          {t('signOut')}
        </button>
      </header>
      <nav class="nav" aria-label={t('nav.label')}>
        <ul>
          {allowed
            .filter((p) => p.nav)
            .map((p) => (
              <li key={p.path}>
                <a href={href([p.path])} aria-current={page?.path === p.path ? 'page' : undefined}>
                  {t(p.nav!)}
                </a>
              </li>
            ))}
        </ul>
      </nav>
      <main id="main">
        {!page || !Component ? (
          <p class="error">{t('common.notFound')}</p>
        ) : !session.can(page.action) ? (
          <p class="error" role="alert">
            {t('common.forbidden')}
          </p>
        ) : (
          <Component route={route} />
        )}
      </main>
    </SessionContext.Provider>
  );
}

import { useState } from 'preact/hooks';
import { api, ApiError, type Me } from '../api.js';
import { useT } from '../i18n/index.js';

export function SignIn(props: { onSignedIn(key: string, me: Me): void }) {
  const t = useT();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api.get<Me>('/v1/me', undefined, key.trim());
      props.onSignedIn(key.trim(), me);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('signIn.invalid') : String((err as Error).message));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{t('signIn.title')}</h1>
        <p>{t('signIn.intro')}</p>
        <label for="api-key">{t('signIn.key')}</label>
        <input id="api-key" name="api-key" type="password" autocomplete="off" required value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}

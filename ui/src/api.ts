/** The API from the browser: the signed-in key on every call, errors in the API's one shape. */

const STORAGE = 'rh-key';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function storedKey(): string | null {
  return sessionStorage.getItem(STORAGE);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(STORAGE);
  else sessionStorage.setItem(STORAGE, key);
}

type Query = Record<string, string | number | boolean | undefined | null>;

function url(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function request<T>(method: string, path: string, init: { query?: Query; body?: unknown; form?: FormData; key?: string; blob?: boolean } = {}): Promise<T> {
  const key = init.key ?? storedKey();
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  let body: BodyInit | undefined;
  if (init.form) body = init.form;
  else if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  const res = await fetch(url(path, init.query), { method, headers, body });
  if (!res.ok) {
    let code = 'RH_ERR_HTTP';
    let message = `${res.status} ${res.statusText}`;
    try {
      const parsed = (await res.json()) as { error?: { code: string; message: string } };
      if (parsed.error) ({ code, message } = parsed.error);
    } catch {
      // not JSON
    }
    throw new ApiError(res.status, code, message);
  }
  // A file as sent: text() would decode it and drop the BOM Excel needs to read UTF-8.
  if (init.blob) return (await res.blob()) as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, key?: string) => request<T>('GET', path, { query, key }),
  post: <T>(path: string, body: unknown) => request<T>('POST', path, { body }),
  upload: <T>(path: string, form: FormData) => request<T>('POST', path, { form }),
  /** A URL the browser can download with the key (for CSV files): fetched, then saved. */
  async download(path: string, query: Query, fileName: string): Promise<void> {
    const blob = await request<Blob>('GET', path, { query, blob: true });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = fileName;
    a.click();
    URL.revokeObjectURL(a.href);
  },
};

/** GET /v1/me */
export interface Me {
  keyId: string | null;
  name: string;
  role: string;
  permissions: string[];
}

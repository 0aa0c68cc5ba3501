/** Shared pieces of every page: headings, loading and error states, source names, paging. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { codeName, useT, type MessageKey } from '../i18n/index.js';

export function Page(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{props.title}</h1>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

export function Loading() {
  const t = useT();
  return (
    <p class="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

export function ErrorBanner(props: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  const message = props.error instanceof ApiError ? `${props.error.message} (${props.error.code})` : props.error instanceof Error ? props.error.message : String(props.error);
  return (
    <div class="error" role="alert">
      {props.error instanceof ApiError && props.error.status === 403 ? t('common.forbidden') : t('common.error', { message })}
      {props.onRetry && (
        <button type="button" onClick={props.onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

/** A department's system by name (short: a badge). */
export function SourceName(props: { source: string; short?: boolean }) {
  const t = useT();
  const key = `${props.short ? 'sourceShort' : 'source'}.${props.source}` as MessageKey;
  return (
    <span class={`source source-${props.source}`} title={t(`source.${props.source}` as MessageKey)}>
      {t(key)}
    </span>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Loads `fn` when `deps` change; keeps the last data while reloading. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    fn().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

export interface CursorPages<T, C> {
  items: T[];
  /** For updating an item in place (e.g. once resolved). */
  setItems(update: (items: T[]) => T[]): void;
  /** The cursor of the next page; null at the end. */
  next: C | null;
  loading: boolean;
  error: unknown;
  loadMore(): void;
  /** From the first page again. */
  reload(): void;
  /** The last page asked for again (after an error). */
  retry(): void;
}

/**
 * A list read a page at a time ("load more"): starts again from the first page whenever `key`
 * (the filters) changes; an answer to an older request is dropped.
 */
export function useCursorPages<T, C>(fetchPage: (cursor: C | null) => Promise<{ items: T[]; next: C | null }>, key: string): CursorPages<T, C> {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<C | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);
  const last = useRef<C | null>(null);

  async function load(cursor: C | null) {
    const mine = ++generation.current;
    last.current = cursor;
    setLoading(true);
    setError(null);
    try {
      const page = await fetchPage(cursor);
      if (mine !== generation.current) return;
      setItems((old) => (cursor === null ? page.items : [...old, ...page.items]));
      setNext(page.next);
    } catch (err) {
      if (mine === generation.current) setError(err);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }

  useEffect(() => {
    setItems([]);
    setNext(null);
    void load(null);
  }, [key]);

  return { items, setItems, next, loading, error, loadMore: () => void load(next), reload: () => void load(null), retry: () => void load(last.current) };
}

/**
 * A labelled filter of a list page: its codes by name (messages under `prefix`), "any" first
 * when `any` is given, and the current value offered even when it is not a known code (one
 * that came in a link).
 */
export function FilterSelect(props: {
  id: string;
  class: string;
  label: string;
  value: string;
  options: readonly string[];
  prefix: string;
  any?: string;
  onChange: (value: string) => void;
}) {
  const options = props.value && !props.options.includes(props.value) ? [...props.options, props.value] : props.options;
  return (
    <div class={props.class}>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        {props.any !== undefined && <option value="">{props.any}</option>}
        {options.map((o) => (
          <option key={o} value={o}>
            {codeName(props.prefix, o)}
          </option>
        ))}
      </select>
    </div>
  );
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

const uiRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../ui');

export interface UiAssets {
  html: string;
  js: string;
  css: string;
}

let built: Promise<UiAssets> | undefined;

/**
 * The web UI (ui/src, Preact + TSX) bundled by esbuild in memory when the server starts: no
 * build step to forget on a fresh machine, no CDN at run time (the machines are offline).
 */
export function buildUi(): Promise<UiAssets> {
  built ??= (async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [
        { in: path.join(uiRoot, 'src/main.tsx'), out: 'app' },
        { in: path.join(uiRoot, 'src/styles.css'), out: 'app' },
      ],
      outdir: 'out',
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2020',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    });
    const file = (ext: string) => {
      const out = result.outputFiles.find((f) => f.path.endsWith(ext));
      if (!out) throw new Error(`the UI build produced no ${ext}`);
      return out.text;
    };
    return { html: await fs.readFile(path.join(uiRoot, 'index.html'), 'utf8'), js: file('.js'), css: file('.css') };
  })();
  built.catch(() => {
    built = undefined;
  });
  return built;
}

/** Everything comes from this server; nothing inline, nothing from elsewhere. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export const uiPlugin: FastifyPluginAsync = async (app) => {
  const assets = await buildUi();
  const hidden = { schema: { hide: true } };
  const secure = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
  app.get('/', hidden, async (_request, reply) => reply.headers(secure).type('text/html; charset=utf-8').send(assets.html));
  app.get('/assets/app.js', hidden, async (_request, reply) => reply.headers(secure).type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(assets.js));
  app.get('/assets/app.css', hidden, async (_request, reply) => reply.headers(secure).type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(assets.css));
};

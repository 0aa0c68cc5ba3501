import { fileURLToPath } from 'node:url';

/**
 * A worker and everything it imports, bundled into one file (esbuild, once per process and
 * worker): the spreadsheet readers and the golden-record builder. Resolving and loading
 * exceljs's ~150 modules was most of a spreadsheet worker's start: ~150 ms, against ~70 ms for
 * one bundled file; the builder's TypeScript sources need no loader once bundled. Packages the
 * worker never reaches are replaced by empty modules (`stubs`: exceljs's own unzipper, unused
 * since the zip is read with yauzl). If bundling fails the worker runs from its sources:
 * slower to start, otherwise the same.
 */
export function bundledWorker(entry: URL, stubs: readonly string[] = []): Promise<URL> {
  let bundled = bundles.get(entry.href);
  if (!bundled) {
    bundled = bundle(entry, stubs).catch(() => entry);
    bundles.set(entry.href, bundled);
  }
  return bundled;
}

const bundles = new Map<string, Promise<URL>>();

async function bundle(entry: URL, stubs: readonly string[]): Promise<URL> {
  const { build } = await import('esbuild');
  const stubFilter = new RegExp(`^(${stubs.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
  const result = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // CommonJS packages inside an ES module still call require() for Node's own modules.
    // (A data: URL is no base for require: any absolute path serves for Node's own modules.)
    banner: { js: "import { createRequire as __rhCreateRequire } from 'node:module'; const require = __rhCreateRequire(process.execPath);" },
    plugins: stubs.length
      ? [{
          name: 'stubs',
          setup(b) {
            b.onResolve({ filter: stubFilter }, (args) => ({ path: args.path, namespace: 'stub' }));
            b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
          },
        }]
      : [],
  });
  // A data: URL, not a file: nothing written to a shared temporary directory, nothing left behind.
  return new URL(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0]!.contents).toString('base64')}`);

}

// Fixes applied to SheetJS's core build as the .xls worker loads it (see xls-worker.mjs).
// A module of its own so that the tests can check them against the installed build.

/**
 * Two faults of the core build, fixed in its text as it loads. Each is replaced only where the
 * build's text is exactly as expected (xls.test.ts checks the installed build); a build
 * without that text loads as shipped. For a 65,000-row police .xls: read 6.4 -> 2.7 s, peak
 * RSS of the read 1,003 -> 256 MB, 490 MB live after it -> 129 MB; the cells are the same.
 */
export const SHEETJS_PATCHES = [
  // The minifier turned the build's "running on Node" test into one that is always false
  // (`process` became undefined), so the core build never uses Buffers: it copies the
  // workbook's stream into a JavaScript array of numbers, 25 million of them for that file.
  // The unminified build (`require('xlsx')`) has the test as written here.
  {
    shipped: 'var T=function(){return typeof Buffer!=="undefined"&&typeof undefined!=="undefined"&&typeof{}!=="undefined"&&!!{}.node}();',
    fixed: 'var T=function(){return typeof Buffer!=="undefined"&&typeof process!=="undefined"&&typeof process.versions!=="undefined"&&!!process.versions.node}();',
  },
  // Every cell read ends with `delete cell.ixfe; delete cell.XF`. Deleting a property that is
  // not the last one added turns the object into a hash table (V8's dictionary mode) of some
  // 400 bytes; assigning undefined keeps cells ordinary small objects.
  { shipped: 'delete r.ixfe;delete r.XF;', fixed: 'r.ixfe=void 0;r.XF=void 0;' },
];

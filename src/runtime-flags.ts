/**
 * The V8 flags resident-hub runs with. Node cannot take them once started, so each way of
 * starting it passes them: bin/resident-hub.mjs's shebang (`npx resident-hub`), the
 * Dockerfile's entry point, the npm `demo` script and the benchmarks' child processes
 * (runtime-flags.test.ts checks that they agree).
 *
 * `--max-semi-space-size=64`: a young generation of 2 × 64 MB instead of V8's 2 × 16 MB. An
 * import or a link run keeps each page of records alive across a few young collections; at
 * the default size they were promoted, then collected again by full collections over an old
 * generation of up to a gigabyte. On the seed district, in pairs: the first link run's Node
 * CPU 63.8 / 59.5 → 52.5 / 51.1 s, wall 57.3 / 53.3 → 49.9 / 48.8 s; the CSV import 19.6 /
 * 19.8 → 17.1 / 18.7 s. 32 and 128 MB were slower than 64.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

/**
 * The same young generation for a worker thread that asks for it (`resourceLimits`): 2 × 64 MB
 * semi-spaces and a large-object space of one more. Workers otherwise take V8's default
 * (src/worker-bundle.ts's startWorker says why); the golden-record builders ask for this one.
 */
export const YOUNG_GENERATION_MB = 192;

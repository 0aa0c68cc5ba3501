#!/usr/bin/env -S node --max-semi-space-size=64
// The shebang's flags are src/runtime-flags.ts's NODE_FLAGS (why there).
// The CLI runs the TypeScript sources through tsx: no build step between a checkout and a run.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;

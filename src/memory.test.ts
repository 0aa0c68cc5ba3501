import { describe, expect, it } from 'vitest';
import { collectGarbage } from './memory.js';

/** A WeakRef to an object nothing else refers to. */
function unreferenced(): WeakRef<object> {
  return new WeakRef({ payload: new Array(1000).fill('x') });
}

describe('collectGarbage', () => {
  it('runs a full collection: an object no longer referenced is gone', async () => {
    const ref = unreferenced();
    // A WeakRef keeps its target until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });
});

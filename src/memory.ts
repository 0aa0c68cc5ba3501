import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | null | undefined;

/**
 * A full garbage collection, now. For long batch stages that allocate far more than they keep:
 * V8 lets the heap grow to about twice what survived its last full collection before it runs
 * the next, which on a whole district's link run is more than a gigabyte of garbage held as
 * resident memory. (`gc` is exposed through a fresh context; if that is not possible, nothing.)
 */
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}

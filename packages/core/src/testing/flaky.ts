import type { CheckResult } from '@bank/checks';
import type { CheckFn } from '../machine/types.js';

/** A check that throws a transient error the first `failures` times it sees each value, then defers to `check`. */
export function flaky(check: CheckFn, failures: number): CheckFn & { calls: () => number } {
  const seen = new Map<string, number>();
  let calls = 0;
  const fn: CheckFn = (value, context): CheckResult | Promise<CheckResult> => {
    calls++;
    const n = (seen.get(value) ?? 0) + 1;
    seen.set(value, n);
    if (n <= failures) throw new Error(`service unavailable (attempt ${n})`);
    return check(value, context);
  };
  return Object.assign(fn, { calls: () => calls });
}

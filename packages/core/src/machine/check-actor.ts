import type { CheckResult } from '@bank/checks';
import { fromPromise } from 'xstate';
import type { CheckFn } from './types.js';

/** Thrown when a check takes longer than its time limit; like any error but unprocessable data, it is retried. */
export class CheckTimeoutError extends Error {
  /** Always `'CheckTimeoutError'`. */
  override readonly name = 'CheckTimeoutError';
}

const isThenable = (value: unknown): value is PromiseLike<CheckResult> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

/** Wraps a check function as a promise actor with a time limit, so a hung remote check becomes a retryable failure. */
export function createCheckActor(check: CheckFn, timeoutMs: number) {
  return fromPromise<CheckResult, { value: string }>(async ({ input }) => {
    const answer = check(input.value); // a synchronous throw rejects this actor, like a rejected promise
    // A local check answers at once: no timer to arm (the common case, and the engine's hot path).
    if (!isThenable(answer)) return answer;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CheckTimeoutError(`check did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  });
}

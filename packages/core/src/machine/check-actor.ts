import { fromPromise } from 'xstate';
import type { CheckFn } from './types.js';

/** Thrown when a check takes longer than its time limit; like any error but unprocessable data, it is retried. */
export class CheckTimeoutError extends Error {
  /** Always `'CheckTimeoutError'`. */
  override readonly name = 'CheckTimeoutError';
}

/** Wraps a check function as a promise actor with a time limit, so a hung remote check becomes a retryable failure. */
export function createCheckActor(check: CheckFn, timeoutMs: number) {
  return fromPromise<Awaited<ReturnType<CheckFn>>, { value: string }>(async ({ input }) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CheckTimeoutError(`check did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      // Promise.resolve().then(...) turns a synchronous throw into a rejection as well.
      return await Promise.race([Promise.resolve().then(() => check(input.value)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  });
}

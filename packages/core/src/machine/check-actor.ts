import type { CheckResult } from '@bank/checks';
import { fromPromise } from 'xstate';
import type { CheckFn } from './types.js';

/** Thrown when a check takes longer than its time limit; like any error but unprocessable data, it is retried. */
export class CheckTimeoutError extends Error {
  /** Always `'CheckTimeoutError'`. */
  override readonly name = 'CheckTimeoutError';
}

/** Thrown when a check answers with something that is not a `CheckResult`; retried like a transient failure. */
export class InvalidCheckResultError extends Error {
  /** Always `'InvalidCheckResultError'`. */
  override readonly name = 'InvalidCheckResultError';
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

const describeValue = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return typeof value;
  return `an object with keys ${Object.keys(value).slice(0, 5).join(', ') || '(none)'}`;
};

/**
 * Accepts exactly `{ flagged: false }` or `{ flagged: true, reason? }` with a string reason, and returns a fresh
 * copy of it: an answer that is anything else must never count as a passed check (it would approve the application).
 * @throws {InvalidCheckResultError} for any other value.
 */
export function toCheckResult(value: unknown): CheckResult {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { flagged, reason, ...rest } = value as { flagged?: unknown; reason?: unknown };
    if (Object.keys(rest).length === 0 && typeof flagged === 'boolean') {
      if (!flagged && reason === undefined) return { flagged: false };
      if (flagged && reason === undefined) return { flagged: true };
      if (flagged && typeof reason === 'string') return { flagged: true, reason };
    }
  }
  throw new InvalidCheckResultError(`the check answered ${describeValue(value)}, not { flagged: boolean, reason?: string }`);
}

/**
 * Wraps a check function as a promise actor with a time limit, so a hung remote check becomes a retryable failure.
 * The check gets an `AbortSignal` that aborts when its time is up (or the execution stops), so it can cancel its
 * own work; its answer is validated with {@link toCheckResult}.
 */
export function createCheckActor(check: CheckFn, timeoutMs: number) {
  return fromPromise<CheckResult, { value: string }>(async ({ input, signal: stopped }) => {
    const controller = new AbortController();
    const abort = () => controller.abort(stopped.reason);
    if (stopped.aborted) abort();
    else stopped.addEventListener('abort', abort, { once: true });
    try {
      const answer = check(input.value, { signal: controller.signal }); // a synchronous throw rejects this actor
      // A local check answers at once: no timer to arm (the common case, and the engine's hot path).
      if (!isThenable(answer)) return toCheckResult(answer);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new CheckTimeoutError(`check did not answer within ${timeoutMs} ms`);
          controller.abort(error);
          reject(error);
        }, timeoutMs);
        // A pending check must not keep a finished process (the CLI) alive; Workers' timers have no unref.
        (timer as { unref?: () => void }).unref?.();
      });
      try {
        return toCheckResult(await Promise.race([answer, timeout]));
      } finally {
        clearTimeout(timer);
      }
    } finally {
      stopped.removeEventListener('abort', abort);
    }
  });
}

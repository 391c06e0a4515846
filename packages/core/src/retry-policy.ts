/** How transient check failures are retried: like a Step Functions `Retry` block, with jitter and a cap. */
export interface RetryPolicy {
  /** Delay before the first retry, in milliseconds (reference: 1 s). */
  readonly intervalMs: number;
  /** Retries after the first attempt (reference: 3); `0` disables retrying. */
  readonly maxRetries: number;
  /** Each retry waits this many times longer than the previous one (reference: 2). */
  readonly backoffRate: number;
  /** No wait is ever longer than this, in milliseconds. */
  readonly maxDelayMs: number;
  /** Fraction of each delay that is randomised (0 = none, 1 = full jitter), so retries of many executions spread out. */
  readonly jitter: number;
}

/** The reference system's policy (1 s, 3 retries, backoff 2), plus 20% jitter and a 60 s cap. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { intervalMs: 1000, maxRetries: 3, backoffRate: 2, maxDelayMs: 60_000, jitter: 0.2 };

/** Fills in a partial policy with the defaults and rejects nonsense values. */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...partial };
  const ok =
    policy.intervalMs >= 0 &&
    Number.isInteger(policy.maxRetries) &&
    policy.maxRetries >= 0 &&
    policy.backoffRate >= 1 &&
    policy.maxDelayMs >= 0 &&
    policy.jitter >= 0 &&
    policy.jitter <= 1;
  if (!ok) throw new RangeError(`invalid retry policy: ${JSON.stringify(policy)}`);
  return policy;
}

/**
 * The wait before retry number `retry` (1-based): `interval × rate^(retry-1)`, capped, then reduced by up to
 * `jitter` of itself. `random` is a number in [0, 1), injected so tests are exact.
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, random: number): number {
  const base = Math.min(policy.maxDelayMs, policy.intervalMs * policy.backoffRate ** (retry - 1));
  return Math.round(base * (1 - policy.jitter * random));
}

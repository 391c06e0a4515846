import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy, retryDelayMs } from './retry-policy.js';

describe('retry policy', () => {
  it('backs off like the reference: 1 s, 2 s, 4 s without jitter', () => {
    const policy = resolveRetryPolicy({ jitter: 0 });
    expect([1, 2, 3].map((n) => retryDelayMs(policy, n, 0.99))).toStrictEqual([1000, 2000, 4000]);
    expect(DEFAULT_RETRY_POLICY.maxRetries).toBe(3);
  });

  it('takes up to the jitter fraction off each delay, and caps it', () => {
    const policy = resolveRetryPolicy({ jitter: 0.5, maxDelayMs: 3000 });
    expect(retryDelayMs(policy, 1, 0)).toBe(1000);
    expect(retryDelayMs(policy, 1, 0.5)).toBe(750);
    expect(retryDelayMs(policy, 3, 0)).toBe(3000);
  });

  it('rejects nonsense', () => {
    for (const bad of [{ intervalMs: -1 }, { maxRetries: 1.5 }, { backoffRate: 0.5 }, { jitter: 2 }]) {
      expect(() => resolveRetryPolicy(bad)).toThrow(RangeError);
    }
  });
});

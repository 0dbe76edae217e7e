import { describe, expect, it } from 'vitest';
import { defaultRetryPolicy, nextAttemptDelay } from './retry-policy.js';

const policy = { ...defaultRetryPolicy, baseDelayMs: 1000, maxDelayMs: 8000, maxRetryAfterMs: 60_000, maxAttempts: 5 };

describe('retry policy', () => {
  it('grows exponentially with jitter between half and the full step', () => {
    expect(nextAttemptDelay(policy, 1, undefined, () => 0)).toBe(500);
    expect(nextAttemptDelay(policy, 1, undefined, () => 1)).toBe(1000);
    expect(nextAttemptDelay(policy, 3, undefined, () => 1)).toBe(4000);
    expect(nextAttemptDelay(policy, 4, undefined, () => 0.5)).toBe(6000);
  });
  it('caps the step at maxDelayMs', () => {
    const p = { ...policy, maxAttempts: 100 };
    expect(nextAttemptDelay(p, 20, undefined, () => 1)).toBe(8000);
  });
  it('honours Retry-After when longer than the backoff, up to the cap', () => {
    expect(nextAttemptDelay(policy, 1, 30_000, () => 0)).toBe(30_000);
    expect(nextAttemptDelay(policy, 1, 3_600_000, () => 0)).toBe(60_000);
    expect(nextAttemptDelay(policy, 3, 100, () => 1)).toBe(4000);
  });
  it('gives up when the budget is spent', () => {
    expect(nextAttemptDelay(policy, 4, undefined)).not.toBeNull();
    expect(nextAttemptDelay(policy, 5, undefined)).toBeNull();
  });
});

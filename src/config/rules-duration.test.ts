import { describe, expect, it } from 'vitest';
import { parsePromDuration } from './rules-duration.js';

describe('parsePromDuration (Prometheus model.ParseDuration)', () => {
  it.each([
    ['0', 0],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['30d', 30 * 86_400_000],
    ['1w', 7 * 86_400_000],
    ['1y', 365 * 86_400_000],
    ['100ms', 100],
    ['1m30s500ms', 90_500],
  ])('accepts %s', (text, ms) => {
    expect(parsePromDuration(text)).toBe(ms);
  });

  it.each(['', '1.5h', '30m1h', '5 m', '-5m', '5M', '1h1h', 'm', '10', '99999999999999y'])('rejects %j', (text) => {
    expect(parsePromDuration(text)).toBeUndefined();
  });
});

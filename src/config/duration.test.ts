import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration (Prometheus model.ParseDuration)', () => {
  const valid: [string, number][] = [
    ['0', 0],
    ['0s', 0],
    ['250ms', 250],
    ['30s', 30 * S],
    ['5m', 5 * M],
    ['4h', 4 * H],
    ['1h30m', 90 * M],
    ['90m', 90 * M],
    ['1d', D],
    ['1w', 7 * D],
    ['1y', 365 * D],
    ['1y2w3d4h5m6s7ms', 365 * D + 14 * D + 3 * D + 4 * H + 5 * M + 6 * S + 7],
  ];
  it.each(valid)('%s → %d ms', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });

  const invalid: [string, RegExp][] = [
    ['', /empty duration string/],
    ['4', /not a valid duration/],
    ['1.5h', /not a valid duration/],
    ['-5m', /not a valid duration/],
    ['30m1h', /not a valid duration/], // units in descending order only
    ['1h1h', /not a valid duration/],
    ['4hours', /not a valid duration/],
    [' 5m', /not a valid duration/],
    ['5M', /not a valid duration/],
    ['99999999999999y', /out of range/],
  ];
  it.each(invalid)('%j is rejected', (s, error) => {
    expect(() => parseDuration(s)).toThrow(error);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [90 * M, '1h30m'],
    [4 * H, '4h'],
    [D + 500, '1d500ms'],
  ])('%d → %s, and parses back', (ms, s) => {
    expect(formatDuration(ms)).toBe(s);
    expect(parseDuration(s)).toBe(ms);
  });
});

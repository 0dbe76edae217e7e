import { describe, expect, it } from 'vitest';
import * as zoned from './zoned-formatter.js';
import { WALL_CLOCK_PARTS, zonedFormatter } from './zoned-formatter.js';

/** The `n`th upper/lower-case spelling of `name` (bit b of n flips its b-th letter). */
function caseVariant(name: string, n: number): string {
  let b = 0;
  return [...name].map((c) => (/[a-z]/i.test(c) ? ((n >> b++) & 1 ? (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) : c) : c)).join('');
}

const wallClock = (tz: string) => zonedFormatter('test-wall-clock', 'en-US', tz, WALL_CLOCK_PARTS);

/** The cache's size, where the module tells it (it did not before it was bounded). */
function cacheSize(): { spellings: number; zones: number } {
  const size = (zoned as { zonedFormatterCacheSize?: () => { spellings: number; zones: number } }).zonedFormatterCacheSize;
  if (!size) throw new Error('model/zoned-formatter does not tell its cache size');
  return size();
}

describe('zonedFormatter', () => {
  it('every spelling and alias of a zone shares one formatter', () => {
    const london = wallClock('Europe/London');
    expect(wallClock('europe/london')).toBe(london);
    expect(wallClock('EUROPE/LONDON')).toBe(london);
    expect(wallClock('US/Pacific')).toBe(wallClock('America/Los_Angeles'));
    expect(wallClock('Europe/London')).toBe(london);
    // Still the zone asked for: 25 October 2026 00:30 UTC is 01:30 BST.
    expect(london.format(Date.UTC(2026, 9, 25, 0, 30))).toBe('10/25/2026, 01:30:00');
    expect(() => wallClock('Mars/Olympus')).toThrow(RangeError);
  });

  it('no input grows the cache without limit: 5,000 case variants of a zone, then every zone there is', () => {
    // The reviewer's repro: 50,000 spellings of one zone through GET /v1/uptime?tz= grew RSS by 1.3 GB.
    const name = 'America/Argentina/ComodRivadavia';
    const seen = new Set<Intl.DateTimeFormat>();
    for (let n = 0; n < 5000; n++) seen.add(wallClock(caseVariant(name, n)));
    expect(seen.size).toBe(1);
    expect(cacheSize().spellings).toBeLessThanOrEqual(zoned.SPELLINGS_MAX);

    for (const tz of Intl.supportedValuesOf('timeZone')) wallClock(tz);
    for (let n = 0; n < 2000; n++) zonedFormatter(`purpose-${n % 7}`, 'en-GB', caseVariant('Europe/London', n), {});
    const size = cacheSize();
    expect(size.spellings).toBeLessThanOrEqual(zoned.SPELLINGS_MAX);
    expect(size.zones).toBeLessThanOrEqual(zoned.ZONES_MAX);
    // Evicted entries come back as they were.
    expect(wallClock('UTC').format(Date.UTC(2026, 0, 1, 12))).toBe('01/01/2026, 12:00:00');
  });
});

/**
 * utcMillisText (src/model/time-text.ts) must answer exactly what `new Date(t).toISOString()`
 * answers whenever it answers at all, and answer for the times Alertmanager sends; utcMinuteText
 * likewise the minute of it, which Slack messages show.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utcMillisText, utcMinuteText } from '../src/model/time-text.js';

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const pad = (n: number) => String(n).padStart(2, '0');

/** Text close to RFC3339: any two digits per field (out of range too), fractions of any length, other separators and zones now and then. */
const nearRfc3339 = fc
  .record({
    year: digits(4, 4),
    month: fc.integer({ min: 0, max: 19 }).map(pad),
    day: fc.integer({ min: 0, max: 39 }).map(pad),
    hour: fc.integer({ min: 0, max: 29 }).map(pad),
    minute: fc.integer({ min: 0, max: 69 }).map(pad),
    second: fc.integer({ min: 0, max: 69 }).map(pad),
    fraction: fc.oneof(fc.constant(''), digits(0, 25).map((d) => `.${d}`)),
    zone: fc.constantFrom('Z', 'Z', 'Z', 'z', '+01:00', '-00:00', ''),
    sep: fc.constantFrom('T', 'T', 'T', 't', ' '),
  })
  .map((p) => `${p.year}-${p.month}-${p.day}${p.sep}${p.hour}:${p.minute}:${p.second}${p.fraction}${p.zone}`);

describe('utcMillisText', () => {
  it('equals Date’s toISOString whenever it answers', () => {
    fc.assert(
      fc.property(fc.oneof(nearRfc3339, fc.string({ maxLength: 30 })), (t) => {
        const fast = utcMillisText(t);
        if (fast === undefined) return;
        expect(fast).toBe(new Date(t).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('answers for UTC times as Alertmanager (Go RFC3339Nano) and Prometheus send them', () => {
    for (const [t, iso] of [
      ['2026-11-20T09:00:00Z', '2026-11-20T09:00:00.000Z'],
      ['2026-11-20T09:00:00.5Z', '2026-11-20T09:00:00.500Z'],
      ['2026-11-20T09:00:00.123Z', '2026-11-20T09:00:00.123Z'],
      ['2026-11-20T09:00:00.123456789Z', '2026-11-20T09:00:00.123Z'],
      ['2026-11-20T09:00:00.999999999Z', '2026-11-20T09:00:00.999Z'],
    ] as const) {
      expect(utcMillisText(t)).toBe(iso);
    }
  });

  it('leaves to Date what could roll over or is not UTC text', () => {
    for (const t of ['2026-02-30T00:00:00Z', '2026-11-29T00:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20T09:00:00+01:00', '2026-11-20T09:00:00.Z', '2026-11-20t09:00:00z', '2026-11-20T09:00:00.0005000000Z']) {
      expect(utcMillisText(t)).toBeUndefined();
    }
  });

  it('utcMinuteText equals the minute of Date’s toISOString whenever it answers, and answers when utcMillisText does', () => {
    fc.assert(
      fc.property(fc.oneof(nearRfc3339, fc.string({ maxLength: 30 })), (t) => {
        const minute = utcMinuteText(t);
        expect(minute === undefined).toBe(utcMillisText(t) === undefined);
        if (minute !== undefined) expect(minute).toBe(new Date(t).toISOString().slice(0, 16));
      }),
      { numRuns: 20_000 },
    );
    expect(utcMinuteText('2026-11-20T09:07:59.999999999Z')).toBe('2026-11-20T09:07');
  });
});

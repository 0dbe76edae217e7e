/**
 * utcMillisText (src/model/time-text.ts) must answer exactly what `new Date(t).toISOString()`
 * answers whenever it answers at all, and answer for the times Alertmanager sends; utcMinuteText
 * likewise the minute of it, which Slack messages show. isRfc3339Text takes exactly RFC3339
 * date-times with fields in range (checked against a Date-based oracle), and rfc3339UtcText reads
 * them as Date reads ISO text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRfc3339Text, rfc3339UtcText, utcMillisText, utcMinuteText } from '../src/model/time-text.js';

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

  it('answers for the last days of a month, leap days included', () => {
    for (const t of ['2026-11-30T09:00:00Z', '2026-12-31T23:59:59.999Z', '2024-02-29T00:00:00Z', '2000-02-29T00:00:00Z']) {
      expect(utcMillisText(t)).toBe(new Date(t).toISOString());
    }
  });

  it('does not answer for what could roll over or is not UTC text', () => {
    for (const t of ['2026-02-30T00:00:00Z', '2026-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2026-11-31T00:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20T09:00:00+01:00', '2026-11-20T09:00:00.Z', '2026-11-20t09:00:00z', '2026-11-20T09:00:00.0005000000Z']) {
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

/**
 * The oracle: RFC3339 shape by a regular expression written from the RFC's ABNF, fields in range
 * when a Date built from them gives them back unchanged (no roll-over), second below 60, offset
 * hours and minutes in range.
 */
function oracleRfc3339(t: string): boolean {
  const m = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(\.\d+)?([Zz]|([+-])(\d\d):(\d\d))$/.exec(t);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second);
  const same = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && d.getUTCHours() === hour && d.getUTCMinutes() === minute && d.getUTCSeconds() === second;
  return same && (m[9] === undefined || (Number(m[10]) < 24 && Number(m[11]) < 60));
}

/** Near-RFC3339 text with offsets of any two digits. */
const nearWithOffsets = fc
  .tuple(nearRfc3339, fc.constantFrom('', '', '+', '-'), fc.integer({ min: 0, max: 29 }).map(pad), fc.integer({ min: 0, max: 69 }).map(pad))
  .map(([t, sign, h, m]) => (sign && /[Zz]$/.test(t) ? `${t.slice(0, -1)}${sign}${h}:${m}` : t));

describe('isRfc3339Text', () => {
  it('takes exactly the RFC3339 date-times whose fields are in range (Date-based oracle)', () => {
    fc.assert(
      fc.property(fc.oneof(nearWithOffsets, fc.string({ maxLength: 30 })), (t) => {
        expect(isRfc3339Text(t)).toBe(oracleRfc3339(t));
      }),
      { numRuns: 20_000 },
    );
  });

  it('refuses what Date.parse took and rewrote, leap seconds and stray characters', () => {
    for (const t of [
      '1', '12', 'Nov 20 2026', '2026-11-20', '2026-11-20T09:00:00', '2026-11-20 09:00:00Z', '2026-11-20T09:00Z',
      'Fri, 20 Nov 2026 09:00:00 GMT', '2026-02-30T09:00:00Z', '2026-02-29T09:00:00Z', '1900-02-29T09:00:00Z',
      '2026-04-31T09:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20T09:60:00Z', '2026-11-20T09:00:60Z',
      '2026-12-31T23:59:60Z', '2026-11-20T09:00:00.Z', '2026-11-20T09:00:00+01', '2026-11-20T09:00:00+0100',
      '2026-11-20T09:00:00+24:00', '2026-11-20T09:00:00+01:60', ' 2026-11-20T09:00:00Z', '2026-11-20T09:00:00Z\n',
      '+02026-11-20T09:00:00Z', '2026-11-20T09:00:00,5Z', '２０２６-11-20T09:00:00Z', '2026-13-01T00:00:00Z', '2026-00-01T00:00:00Z',
    ]) {
      expect(isRfc3339Text(t), t).toBe(false);
      expect(rfc3339UtcText(t), t).toBeUndefined();
    }
  });
});

describe('rfc3339UtcText', () => {
  it('reads text Date reads as ISO (upper-case T and Z or an offset) exactly as Date does', () => {
    const isoLike = nearWithOffsets.filter((t) => !/[tz ]/.test(t) && !/\.\d{10,}/.test(t));
    fc.assert(
      fc.property(isoLike, (t) => {
        const text = rfc3339UtcText(t);
        if (text === undefined) return;
        expect(text).toBe(new Date(t).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads Alertmanager\'s times, offsets, lower case and long fractions as the instant they name', () => {
    for (const [t, iso] of [
      ['2026-11-20T09:00:00.123456789Z', '2026-11-20T09:00:00.123Z'],
      ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
      ['2026-11-30T23:59:59.999999999Z', '2026-11-30T23:59:59.999Z'],
      ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
      ['2026-11-20T09:00:00.123456789+01:00', '2026-11-20T08:00:00.123Z'],
      ['2026-11-30T23:30:00-01:00', '2026-12-01T00:30:00.000Z'],
      ['2026-11-20T09:00:00-00:00', '2026-11-20T09:00:00.000Z'],
      ['2026-11-20t09:00:00.5z', '2026-11-20T09:00:00.500Z'],
      ['2026-11-31t09:00:00z', undefined],
      // Cut, not rounded, however long the fraction (V8 reads `.0005000000` as 5 ms).
      ['2026-11-20T09:00:00.1234567891234Z', '2026-11-20T09:00:00.123Z'],
      ['2026-11-20T09:00:00.0005000000Z', '2026-11-20T09:00:00.000Z'],
      ['0050-06-15T12:00:00+02:00', '0050-06-15T10:00:00.000Z'],
      ['0000-01-01T00:30:00+01:00', '-000001-12-31T23:30:00.000Z'],
    ] as const) {
      expect(rfc3339UtcText(t), t).toBe(iso);
    }
  });
});

/**
 * @module model/zoned-formatter
 * Intl.DateTimeFormat instances are costly to build and are used per sample, per minute or per
 * row, so each (purpose, zone) pair is built once. Throws RangeError for an unknown zone.
 */

const cache = new Map<string, Intl.DateTimeFormat>();

/** A full wall-clock date and time, 24-hour, as two-digit parts (`formatToParts` readers). */
export const WALL_CLOCK_PARTS: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
};

export function zonedFormatter(purpose: string, locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${purpose}\0${timeZone}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    cache.set(key, f);
  }
  return f;
}

/**
 * @module model/zoned-formatter
 * Intl.DateTimeFormat instances are costly to build (~0.25 ms) and are used per sample, per
 * minute or per row, so each (purpose, zone) pair is built once. Throws RangeError for an
 * unknown zone.
 *
 * The zone comes from requests (`tz=`), and Intl takes any spelling of a zone (`europe/LONDON`)
 * and its aliases (`US/Pacific`): a cache keyed by the spelling alone grew by a formatter
 * (~26 KB) per spelling, never evicted (50,000 spellings: 1.3 GB). So formatters are kept per
 * zone as Intl resolves it (`resolvedOptions().timeZone`), one for every spelling of it, and both
 * the spellings and the zones are capped, the oldest entry leaving first: no input can grow the
 * cache past `SPELLINGS_MAX + ZONES_MAX` entries. A spelling already seen costs one map lookup,
 * as before.
 */

/** Spellings remembered (purpose and zone as asked): the hot path's one lookup. */
export const SPELLINGS_MAX = 256;
/** Formatters kept, one per purpose and resolved zone (a few hundred zones exist). */
export const ZONES_MAX = 256;

const bySpelling = new Map<string, Intl.DateTimeFormat>();
const byZone = new Map<string, Intl.DateTimeFormat>();

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

function remember(map: Map<string, Intl.DateTimeFormat>, max: number, key: string, f: Intl.DateTimeFormat): void {
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, f);
}

/** The formatter of `purpose` (which fixes `locale` and `options`) in `timeZone`. */
export function zonedFormatter(purpose: string, locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${purpose}\0${timeZone}`;
  const hit = bySpelling.get(key);
  if (hit) return hit;
  const built = new Intl.DateTimeFormat(locale, { ...options, timeZone });
  const zoneKey = `${purpose}\0${built.resolvedOptions().timeZone}`;
  let f = byZone.get(zoneKey);
  if (!f) {
    f = built;
    remember(byZone, ZONES_MAX, zoneKey, f);
  }
  remember(bySpelling, SPELLINGS_MAX, key, f);
  return f;
}

/** How many spellings and formatters the cache holds (tests). */
export function zonedFormatterCacheSize(): { spellings: number; zones: number } {
  return { spellings: bySpelling.size, zones: byZone.size };
}

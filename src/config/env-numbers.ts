/**
 * @module config/env-numbers
 * Numbers in environment settings, read strictly: `Number()` reads " " as 0 (SHUTDOWN_GRACE_MS="
 * " abandoned deliveries at once) and takes "0x10", "1e3" or "5.0", which no one writes on
 * purpose. Blank, or only whitespace, is unset, as for secrets; surrounding whitespace (a
 * trailing newline from a file) is ignored.
 */

/** A whole number in decimal digits, at least `min`; `fallback` when blank. */
export function wholeNumber(raw: string | undefined, name: string, fallback: number, min = 0): number {
  const text = raw?.trim();
  if (text === undefined || text === '') return fallback;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min} in decimal digits, got "${raw}"`);
  return n;
}

/** A decimal number above 0 such as `1` or `0.5`; `fallback` when blank. */
export function decimalNumber(raw: string | undefined, name: string, fallback: number): number {
  const text = raw?.trim();
  if (text === undefined || text === '') return fallback;
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(n > 0)) throw new Error(`${name} must be a number > 0 in decimal digits (such as 0.5), got "${raw}"`);
  return n;
}


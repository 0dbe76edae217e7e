/**
 * @module config/duration
 * Prometheus/Alertmanager duration strings (`model.ParseDuration`): units y, w, d, h, m, s, ms,
 * each at most once and in that order (`1h30m`, not `30m1h`), integers only; `0` alone is allowed.
 * A year is 365 days and a day 24 hours, as in Prometheus.
 *
 * @example
 * parseDuration('1h30m'); // 5_400_000
 */

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1] as const;

/** Milliseconds in `s`; throws an Error naming the bad input. */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  if (s === '') throw new Error('empty duration string');
  const m = DURATION_RE.exec(s);
  if (!m) throw new Error(`not a valid duration string: "${s}" (use e.g. 30s, 5m, 4h, 1h30m, 7d)`);
  let ms = 0;
  UNIT_MS.forEach((unit, i) => {
    const n = m[i + 1];
    if (n !== undefined) ms += Number(n) * unit;
  });
  if (!Number.isSafeInteger(ms)) throw new Error(`duration out of range: "${s}"`);
  return ms;
}

/** Inverse of parseDuration for display: 5_400_000 → `1h30m`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let rest = ms;
  let out = '';
  UNIT_MS.forEach((unit, i) => {
    const n = Math.floor(rest / unit);
    if (n > 0) {
      out += `${n}${units[i]}`;
      rest -= n * unit;
    }
  });
  return out;
}

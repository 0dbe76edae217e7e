/**
 * @module uptime/step-align
 * Range queries are asked only at multiples of their step. A Thanos query-frontend (by default,
 * `--query-range.align-range-with-step=true`; Cortex, Mimir and caching proxies do the same)
 * rounds a `query_range`'s start and end down to a multiple of the step, so a query asked at each
 * day's end − 1 ms was evaluated almost a whole day earlier, and its samples came back at times
 * alertgate had not asked for (and were dropped: every day read as no data).
 *
 * So the evaluation is moved forward to the next multiple of the step and the query's data back
 * by the same amount with PromQL `offset`, which shifts a range selector's window, and a
 * subquery's window before its steps are aligned: `sum_over_time(x[86399999ms] offset 1ms)` at
 * midnight reads exactly what `sum_over_time(x[86399999ms])` reads at 23:59:59.999. The question
 * is the same, in a form no frontend rewrites; the client refuses any other range query, and any
 * answer at a time it did not ask for.
 */
import { UptimeError } from './errors.js';

/** The first multiple of `stepMs` at or after `evalMs`, and how far that is after it (the offset to read back by). */
export function alignUp(evalMs: number, stepMs: number): { at: number; offsetMs: number } {
  const past = ((evalMs % stepMs) + stepMs) % stepMs;
  const offsetMs = past === 0 ? 0 : stepMs - past;
  return { at: evalMs + offsetMs, offsetMs };
}

/** ` offset Nms` for PromQL, nothing for 0. */
export const offsetClause = (ms: number): string => (ms > 0 ? ` offset ${ms}ms` : '');

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The error for a sample at a time alertgate did not ask for: something between alertgate and
 * the Querier moved the evaluation times, so no figure of the report can be trusted (matching
 * samples to days by time would drop them, or put them on the wrong day).
 */
export function unaskedTimeError(displayUrl: string, path: string, t: number, asked: string): UptimeError {
  return new UptimeError(
    'unavailable',
    `Thanos at THANOS_URL=${displayUrl} answered ${path} with a sample at ${iso(t)}, a time alertgate did not ask for (it asked ${asked}): ` +
      'a query-frontend or proxy in front of the Querier moves evaluation times, so the report cannot be computed. ' +
      'Point THANOS_URL at the Thanos Querier, or run the query-frontend with --no-query-range.align-range-with-step.',
  );
}

/** `asked` text for a range query. */
export const rangeAsked = (start: number, end: number, stepMs: number): string => `every ${stepMs / 1000}s from ${iso(start)} to ${iso(end)}`;

/** `asked` text for an instant query. */
export const instantAsked = (at: number): string => `at ${iso(at)}`;

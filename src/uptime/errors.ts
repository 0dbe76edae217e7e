/**
 * @module uptime/errors
 * The one error type of uptime reporting. `kind` says whose problem it is, so every output
 * (HTTP status, CLI exit code, scheduler log) maps it the same way, and no caller ever has to
 * turn a failure into a number.
 */

export type UptimeErrorKind =
  /**
   * Thanos cannot be reached, timed out, or kept failing with 5xx; or the store, where the
   * maintenance windows a report excludes are kept, cannot be read (HTTP 503).
   */
  | 'unavailable'
  /** Thanos refused the query: PromQL error, bad data (HTTP 502, with Prometheus' text). */
  | 'query'
  /** `THANOS_URL` is not set (HTTP 503). */
  | 'not-configured'
  /** A request parameter is wrong (HTTP 400); `param` names it. */
  | 'invalid'
  /** No such team (HTTP 404). */
  | 'not-found'
  /** rules/ or routes/ cannot be loaded (HTTP 503). */
  | 'config'
  /**
   * The report outlasted its deadline (UPTIME_REPORT_TIMEOUT_MS for HTTP) and its queries were
   * stopped (HTTP 503, as a Thanos too slow to answer is unavailable).
   */
  | 'deadline'
  /**
   * Whoever asked for the report stopped waiting (an HTTP client that closed its connection):
   * its queries were stopped. Not a Thanos failure; no one is left to read an answer (HTTP 503).
   */
  | 'cancelled';

export class UptimeError extends Error {
  override readonly name = 'UptimeError';
  constructor(
    readonly kind: UptimeErrorKind,
    message: string,
    /** The request parameter at fault, for `invalid`. */
    readonly param?: string,
  ) {
    super(message);
  }
}

export function httpStatusOf(err: UptimeError): 400 | 404 | 502 | 503 {
  switch (err.kind) {
    case 'invalid':
      return 400;
    case 'not-found':
      return 404;
    case 'query':
      return 502;
    case 'unavailable':
    case 'not-configured':
    case 'config':
    case 'deadline':
    case 'cancelled':
      return 503;
  }
}

export const invalidParam = (param: string, message: string): UptimeError => new UptimeError('invalid', `${param}: ${message}`, param);

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

/** How a message names a request parameter: the API `from`, the CLI `--from`. */
export type ParamNamer = (param: string) => string;

/** One bad parameter: what is wrong with it, naming any parameter (itself too) through `name`. */
export interface ParamProblem {
  param: string;
  says: (name: ParamNamer) => string;
}

const API_NAME: ParamNamer = (param) => param;

export class UptimeError extends Error {
  override readonly name = 'UptimeError';
  constructor(
    readonly kind: UptimeErrorKind,
    message: string,
    /** The request parameter at fault, for `invalid` (the first, when several are). */
    readonly param?: string,
    /** Every bad parameter, in the contract's order (from before to), for `invalid`. */
    readonly problems?: readonly ParamProblem[],
  ) {
    super(message);
  }

  /**
   * The message with the parameters named by `name`, as the CLI names them (`--from`); the
   * message itself names the API's. Built from the problems, never by rewriting the text, which
   * quotes values as given (a `--from` of "x; to: y" is not a parameter name).
   */
  naming(name: ParamNamer): string {
    return this.problems ? problemsText(this.problems, name) : this.message;
  }
}

function problemsText(problems: readonly ParamProblem[], name: ParamNamer): string {
  return problems.map((p) => `${name(p.param)}: ${p.says(name)}`).join('; ');
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

/** An `invalid` error of every problem (at least one), in order; `param` names the first. */
export function invalidParams(problems: readonly ParamProblem[]): UptimeError {
  const first = problems[0];
  if (!first) throw new Error('invalidParams needs a problem');
  return new UptimeError('invalid', problemsText(problems, API_NAME), first.param, problems);
}

/** An `invalid` error of one parameter whose message names no other. */
export const invalidParam = (param: string, message: string): UptimeError => invalidParams([{ param, says: () => message }]);

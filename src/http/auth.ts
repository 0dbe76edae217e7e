/**
 * @module http/auth
 * Bearer-token checks, compared in constant time (hash both sides so length leaks nothing); a
 * token from a file follows the file (`AcceptedToken`).
 */
import { hash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Context } from 'hono';
import type { Logger } from '../log/logger.js';
import { jsonError } from './errors.js';

function digest(s: string): Buffer {
  return hash('sha256', s, 'buffer');
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  return m?.[1]?.trim();
}

interface Accepted {
  token: string;
  digest: Buffer;
}

function accepted(token: string): Accepted {
  return { token, digest: digest(token) };
}

export interface AcceptedTokenOptions {
  /** The token as read at start. */
  token: string;
  /**
   * The file it was read from (`NAME_FILE`), when it came from one: read again when a presented
   * token matches no accepted one, so a rotated Secret applies without a restart.
   */
  file?: string;
  /** The file's variable, for log lines (`WEBHOOK_TOKEN_FILE`). */
  variable?: string;
  /** How long the token a change of the file replaced is still accepted; 0: not at all. */
  graceMs?: number;
  /** Least time between two reads of the file (ms). */
  rereadMs?: number;
  logger?: Logger;
  /** Called with each new token read from the file (the logger must scrub it too). */
  onChange?: (token: string) => void;
  /** Monotonic clock in ms for the grace and the re-read interval (tests); default `performance.now`. */
  now?: () => number;
}

/**
 * A bearer token the gateway accepts. Taken from a file, it follows the file: when a presented
 * token matches neither the token nor (within its grace) the one before it, the file is read
 * again, at most once per `rereadMs` (requests arriving meanwhile wait for that read), never on
 * the usual path. Alertmanager reads its `credentials_file` at every request, so after a Secret
 * rotation it sends the new token as soon as its own copy of the Secret changed, and the old one
 * until then: the kubelet updates each pod's copy at its own moment, so either may come first.
 */
export class AcceptedToken {
  #current: Accepted;
  #previous: (Accepted & { until: number }) | undefined;
  #lastRead = -Infinity;
  #reading: Promise<void> | undefined;
  #lastFailure: string | undefined;

  readonly #now: () => number;

  constructor(private readonly o: AcceptedTokenOptions) {
    this.#current = accepted(o.token);
    this.#now = o.now ?? (() => performance.now());
  }

  /** Whether `presented` is the token, or the one before it within its grace. Constant time. */
  matches(presented: string | undefined): boolean {
    const d = digest(presented ?? '');
    // Always compare with every accepted value, even with nothing presented, so timing says
    // nothing about which case we hit.
    const current = timingSafeEqual(d, this.#current.digest);
    const previous = this.#previous !== undefined && timingSafeEqual(d, this.#previous.digest) && this.#now() < this.#previous.until;
    return (current || previous) && presented !== undefined;
  }

  /** `matches`, after reading the file again if it is due (a miss: a rotated token, or a wrong one). */
  async recheck(presented: string | undefined): Promise<boolean> {
    if (this.o.file === undefined || presented === undefined) return false;
    if (this.#reading === undefined) {
      const now = this.#now();
      if (now - this.#lastRead < (this.o.rereadMs ?? 1_000)) return this.matches(presented);
      this.#lastRead = now;
      this.#reading = this.#reread(this.o.file).finally(() => (this.#reading = undefined));
    }
    await this.#reading;
    return this.matches(presented);
  }

  async #reread(file: string): Promise<void> {
    const { variable = 'token file', logger } = this.o;
    let token: string;
    try {
      token = (await readFile(file, 'utf8')).trim();
      if (!token) throw new Error('file is empty');
    } catch (err) {
      const reason = (err as Error).message;
      // Once per distinct failure: a flood of wrong tokens would otherwise log one a second.
      if (reason !== this.#lastFailure) logger?.warn({ file }, `${variable}: cannot read the token again (${reason}); the token read before stays in use`);
      this.#lastFailure = reason;
      return;
    }
    this.#lastFailure = undefined;
    if (token === this.#current.token) return;
    const graceMs = this.o.graceMs ?? 0;
    this.#previous = graceMs > 0 ? { ...this.#current, until: this.#now() + graceMs } : undefined;
    this.#current = accepted(token);
    this.o.onChange?.(token);
    logger?.info(
      { file, graceSeconds: graceMs / 1000 },
      graceMs > 0
        ? `${variable} changed: the new token is accepted from now on, and the previous one for ${graceMs / 1000} s more`
        : `${variable} changed: the new token is accepted from now on, the previous one no longer`,
    );
  }
}

/**
 * A 401 with the challenge RFC 9110 §11.6.1 requires (`WWW-Authenticate`); `error="invalid_token"`
 * when a bearer token was presented and refused (RFC 6750 §3.1), none when there was none.
 */
export function unauthorized(c: Context, presented: string | undefined, error: string): Response {
  c.header('WWW-Authenticate', presented === undefined ? 'Bearer realm="alertgate"' : 'Bearer realm="alertgate", error="invalid_token"');
  return jsonError(c, 401, error);
}

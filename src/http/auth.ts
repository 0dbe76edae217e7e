/**
 * @module http/auth
 * Bearer-token checks, compared in constant time (hash both sides so length leaks nothing); a
 * variable or file may list several tokens, one per line, and tokens from a file follow the file
 * (`AcceptedToken`).
 */
import { timingSafeEqual } from 'node:crypto';
import { sha256Bytes } from '../model/sha256.js';
import type { Context } from 'hono';
import { SecretFile, tokenLines } from '../config/secret-file.js';
import type { Logger } from '../log/logger.js';
import { jsonError } from './errors.js';

/**
 * For the background reread nobody awaits: SecretFile logs its own failures and never rejects,
 * but an unhandled rejection would end the process, so it is caught all the same.
 */
function ignoreRejection(): void {}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  return m?.[1]?.trim();
}

interface Accepted {
  token: string;
  digest: Buffer;
}

function accepted(token: string): Accepted {
  return { token, digest: sha256Bytes(token) };
}

export interface AcceptedTokenOptions {
  /** The tokens as read at start: one per line of the variable or file, several during a rotation. */
  tokens: readonly string[];
  /**
   * The file they were read from (`NAME_FILE`), when they came from one: read again when a
   * presented token matches no accepted one, so a rotated Secret applies without a restart.
   */
  file?: string;
  /** The file's variable, for log lines (`WEBHOOK_TOKEN_FILE`). */
  variable?: string;
  /**
   * How long the tokens a change of the file replaced are still accepted, when the change left
   * none of them listed (a token swapped for another); 0: not at all.
   */
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
 * The bearer tokens the gateway accepts: each line of the variable or file is one. Taken from a
 * file, they follow the file: when a presented token matches none of them nor (within its
 * grace) one a swap replaced, the file is read again, at most once per `rereadMs` (requests
 * arriving meanwhile wait for that read), never on the usual path. Alertmanager reads its
 * `credentials_file` at every request, so after a Secret rotation it sends the new token as soon
 * as its own copy of the Secret changed, and the old one until then: the kubelet updates each
 * pod's copy at its own moment, so either may come first.
 *
 * Two ways to rotate (README, Operations, **Token rotation**): swap the token (the old one is
 * still accepted for `graceMs`, but an Alertmanager that sees the new one before this replica
 * does is refused), or list the new token as a second line first, switch the clients, then remove
 * the old line: no request is ever refused. A change is picked up without a miss: a matching
 * request also has the file checked in the background (not awaited, at most once per `rereadMs`,
 * apart from the reads on a miss, which it never delays), so a
 * token removed while another stays listed is refused from then on, and a swapped token's grace
 * runs from the swap even while only the old token comes. Admin writes use `matchesFresh`, which
 * awaits that read: a swapped admin token is refused at once.
 */
export class AcceptedToken {
  #current: Accepted[];
  #previous: Accepted[] = [];
  #previousUntil = -Infinity;
  readonly #file: SecretFile | undefined;
  readonly #now: () => number;

  constructor(private readonly o: AcceptedTokenOptions) {
    if (o.tokens.length === 0) throw new Error(`${o.variable ?? 'token'}: no token`);
    this.#current = o.tokens.map(accepted);
    this.#now = o.now ?? (() => performance.now());
    this.#file =
      o.file === undefined
        ? undefined
        : new SecretFile({
            file: o.file,
            variable: o.variable ?? 'token file',
            text: o.tokens.join('\n'),
            ...(o.rereadMs !== undefined ? { rereadMs: o.rereadMs } : {}),
            now: this.#now,
            ...(o.logger ? { logger: o.logger } : {}),
            onChange: (text) => this.#changed(tokenLines(text)),
          });
  }

  /** Whether `presented` is one of the tokens, or one a swap replaced within its grace. Constant time. */
  matches(presented: string | undefined): boolean {
    const d = sha256Bytes(presented ?? '');
    // Always compare with every accepted value, even with nothing presented, so timing says
    // nothing about which one matched, if any, nor whether it was a current or a replaced one.
    let hit = false;
    for (const a of this.#current) hit = timingSafeEqual(d, a.digest) || hit;
    const inGrace = this.#previous.length > 0 && this.#now() < this.#previousUntil;
    for (const a of this.#previous) hit = (timingSafeEqual(d, a.digest) && inGrace) || hit;
    // A change no miss would reveal: a rotation's last step (a line removed), or a token swapped
    // while its clients still send the old one (a leaked token being cut off, or an Alertmanager
    // whose copy of the Secret is older): read again behind a matching request, so the swap's
    // grace starts and ends even if the new token never comes. Checked first (synchronously):
    // most matching requests come while no read is due, and need no promise.
    if (hit && this.#file?.checkDue) this.#file.check().catch(ignoreRejection);
    return hit && presented !== undefined;
  }

  /**
   * `matches`, after checking the file for a change (at most once per `rereadMs`; a read in flight
   * is joined), match or not, and `recheck` on a miss: for callers that must refuse a token the
   * file no longer lists before serving it (admin writes, whose swapped token is refused at once),
   * where `matches` would serve one more request with it while the file is read in the background.
   */
  async matchesFresh(presented: string | undefined): Promise<boolean> {
    if (this.#file !== undefined) await this.#file.check();
    return this.matches(presented) || (await this.recheck(presented));
  }

  /**
   * Checks the file every `intervalMs` by itself (at most once per `rereadMs`, as behind a
   * request); returns the watch, to stop. Without it the file was read only when requests came,
   * and Alertmanager sends none while no alert changes: a replica that saw neither the new line
   * added nor its clients switch read the old line's removal as a swap, and accepted the removed
   * token for the swap's grace. None for tokens not from a file.
   */
  watch(intervalMs: number): TokenFileWatch | undefined {
    const file = this.#file;
    if (file === undefined || intervalMs <= 0) return undefined;
    return new TokenFileWatch(() => void file.check().catch(ignoreRejection), intervalMs);
  }

  /** `matches`, after reading the file again if it is due (a miss: a rotated token, or a wrong one). */
  async recheck(presented: string | undefined): Promise<boolean> {
    if (this.#file === undefined || presented === undefined) return false;
    await this.#file.reread();
    return this.matches(presented);
  }

  #changed(tokens: string[]): void {
    const { variable = 'token file', logger, file } = this.o;
    const before = this.#current;
    const listed = new Set(tokens);
    const added = tokens.filter((t) => !before.some((b) => b.token === t));
    const removed = before.filter((b) => !listed.has(b.token));
    if (added.length === 0 && removed.length === 0) return;
    for (const token of added) this.o.onChange?.(token);
    this.#current = tokens.map((t) => before.find((b) => b.token === t) ?? accepted(t));
    const graceMs = this.o.graceMs ?? 0;
    // A swap (nothing of before still listed): clients whose copy of the Secret is older still
    // send a replaced token for a while. A removal beside a token still listed is the end of a
    // rotation whose clients have switched (or a revoked token): refused at once.
    const swap = removed.length === before.length;
    if (swap) {
      this.#previous = graceMs > 0 ? removed : [];
      this.#previousUntil = this.#now() + graceMs;
    }
    const grace = swap && graceMs > 0;
    if (before.length === 1 && tokens.length === 1) {
      logger?.info(
        { file, graceSeconds: graceMs / 1000 },
        grace
          ? `${variable} changed: the new token is accepted from now on, and the previous one for ${graceMs / 1000} s more`
          : `${variable} changed: the new token is accepted from now on, the previous one no longer`,
      );
      return;
    }
    logger?.info(
      { file, tokens: tokens.length, added: added.length, removed: removed.length, graceSeconds: grace ? graceMs / 1000 : 0 },
      `${variable} changed: ${tokens.length} token${tokens.length === 1 ? '' : 's'} accepted from now on (${added.length} added, ${removed.length} removed` +
        (removed.length === 0 ? ')' : grace ? `; the removed ones for ${graceMs / 1000} s more)` : '; the removed ones are refused from now on)'),
    );
  }
}

/** A token file checked every interval by itself (AcceptedToken.watch), until stopped. */
export class TokenFileWatch {
  #timer: NodeJS.Timeout | undefined;

  constructor(check: () => void, intervalMs: number) {
    this.#timer = setInterval(check, intervalMs);
    // Never what keeps the process alive.
    this.#timer.unref();
  }

  /**
   * Whether its timer still runs: a stopped watch reads the file no more, which a test cannot
   * await otherwise (a read that does not happen is no event).
   */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
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

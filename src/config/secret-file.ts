/**
 * @module config/secret-file
 * A secret read from a file (`NAME_FILE`, a Kubernetes Secret mount) that can be read again.
 *
 * Why: the kubelet rewrites a mounted Secret in place when it changes (within a minute or so),
 * and the value it replaced is usually revoked soon after. Read once at start, a rotated token
 * would be refused until a restart. Read at every use, a file read would sit on every request and
 * every delivery. So the file is read again when its value was refused (a token no accepted one
 * matches, an auth error from Slack or Thanos), at most once per `rereadMs`; callers arriving
 * while a read is in flight wait for it instead of starting another. Tokens the gateway accepts
 * are also checked behind requests that matched (`check`, its own once per `rereadMs`): a token
 * swapped while only the old one comes is otherwise never noticed (a leaked token kept working).
 *
 * Shared by the tokens the gateway accepts (http/auth.ts) and those it sends (client-token.ts).
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from '../log/logger.js';

/** The tokens of a token list's text (WEBHOOK_TOKEN_FILE, ADMIN_TOKEN_FILE), one per line, no blank ones. */
export function tokenLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export interface SecretFileOptions {
  file: string;
  /** The file's variable, for log lines (`SLACK_TOKEN_FILE`). */
  variable: string;
  /** The content as read at start, trimmed. */
  text: string;
  /** Least time between two reads (ms); default 1000. */
  rereadMs?: number;
  /** Monotonic clock in ms for the interval (tests); default `performance.now`. */
  now?: () => number;
  logger?: Logger;
  /**
   * Called once per change with the new content and the one it replaced, before any caller's
   * `reread` resolves: the owner updates what it derives from it (and the logger's scrub list)
   * and logs the change. The content is a secret: never log it.
   */
  onChange?: (text: string, previous: string) => void;
}

export class SecretFile {
  #text: string;
  #lastRead = -Infinity;
  /**
   * When `check` last started a read. Apart from `#lastRead`: a check behind a matching request
   * (every second on a busy webhook) must not use up the read a refused token is owed, or a new
   * token arriving within a second of it would be refused with the file already holding it.
   */
  #lastCheck = -Infinity;
  #reading: Promise<void> | undefined;
  /** Whether the read in flight is a check's (`check`), which a refusal's `reread` does not settle for. */
  #readingToCheck = false;
  #lastFailure: string | undefined;
  readonly #now: () => number;

  constructor(private readonly o: SecretFileOptions) {
    this.#text = o.text;
    this.#now = o.now ?? (() => performance.now());
  }

  get file(): string {
    return this.o.file;
  }

  get variable(): string {
    return this.o.variable;
  }

  /** The content (trimmed) as last read. */
  get text(): string {
    return this.#text;
  }

  /**
   * Whether `reread` would start a read now: none in flight, and the last one `rereadMs` ago or
   * more. Synchronous, so a caller that does not wait for the read (a background check on a
   * matching request) can skip `reread` and the promise it makes whenever it would do nothing.
   */
  get due(): boolean {
    return this.#reading === undefined && this.#now() - this.#lastRead >= (this.o.rereadMs ?? 1_000);
  }

  /**
   * Reads the file again, unless it was read less than `rereadMs` ago; a read in flight is
   * joined. Never rejects: a file that cannot be read, or is blank, or whose change `onChange`
   * failed to apply, keeps the content read before (warned once per distinct problem: a flood of
   * refusals would otherwise log one a second). Callers compare `text` with what was refused:
   * another caller may have read the change.
   */
  async reread(): Promise<void> {
    if (this.#reading !== undefined && this.#readingToCheck) {
      // A check's read may have begun just before the file changed: the refused token is owed a
      // read begun after it came, unless the check's read already found a change.
      const before = this.#text;
      await this.#reading;
      if (this.#text !== before) return;
    }
    if (this.#reading === undefined) {
      if (!this.due) return;
      this.#lastRead = this.#now();
      this.#readingToCheck = false;
      this.#reading = this.#read().finally(() => (this.#reading = undefined));
    }
    await this.#reading;
  }

  /** Whether `check` would start a read now: none in flight, and the last check `rereadMs` ago or more. */
  get checkDue(): boolean {
    return this.#reading === undefined && this.#now() - this.#lastCheck >= (this.o.rereadMs ?? 1_000);
  }

  /**
   * Reads the file again to see whether it changed though its value was not refused, at most once
   * per `rereadMs` of its own (`#lastCheck`); a read in flight is joined. Never rejects, as `reread`.
   */
  async check(): Promise<void> {
    if (this.#reading === undefined) {
      if (!this.checkDue) return;
      this.#lastCheck = this.#now();
      this.#readingToCheck = true;
      this.#reading = this.#read().finally(() => (this.#reading = undefined));
    }
    await this.#reading;
  }

  #failed(reason: string): void {
    const { file, variable, logger } = this.o;
    if (reason !== this.#lastFailure) logger?.warn({ file }, `${variable}: cannot read the token again (${reason}); the token read before stays in use`);
    this.#lastFailure = reason;
  }

  async #read(): Promise<void> {
    let text: string;
    try {
      text = (await readFile(this.o.file, 'utf8')).trim();
      if (!text) throw new Error('file is empty');
    } catch (err) {
      this.#failed((err as Error).message);
      return;
    }
    if (text === this.#text) {
      this.#lastFailure = undefined;
      return;
    }
    const previous = this.#text;
    this.#text = text;
    try {
      this.o.onChange?.(text, previous);
    } catch (err) {
      // A throw here would reject every caller's reread, and a background one nobody awaits
      // would end the process (an unhandled rejection). Go back to the content before, so the
      // next read tries the change again. Only the error's class is logged: its message may
      // quote the new token, which the logger does not blank until the owner has taken it.
      this.#text = previous;
      this.#failed(`applying the change failed: ${(err as Error)?.name ?? typeof err}`);
      return;
    }
    this.#lastFailure = undefined;
  }
}

/**
 * @module config/secret-file
 * A secret read from a file (`NAME_FILE`, a Kubernetes Secret mount) that can be read again.
 *
 * Why: the kubelet rewrites a mounted Secret in place when it changes (within a minute or so),
 * and the value it replaced is usually revoked soon after. Read once at start, a rotated token
 * would be refused until a restart. Read at every use, a file read would sit on every request and
 * every delivery. So the file is read again only when its value was refused (a token no accepted
 * one matches, an auth error from Slack or Thanos), at most once per `rereadMs`; callers arriving
 * while a read is in flight wait for it instead of starting another.
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
  #reading: Promise<void> | undefined;
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
   * Reads the file again, unless it was read less than `rereadMs` ago; a read in flight is
   * joined. Never throws: a file that cannot be read, or is blank, keeps the content read before
   * (warned once per distinct problem: a flood of refusals would otherwise log one a second).
   * Callers compare `text` with what was refused: another caller may have read the change.
   */
  async reread(): Promise<void> {
    if (this.#reading === undefined) {
      const now = this.#now();
      if (now - this.#lastRead < (this.o.rereadMs ?? 1_000)) return;
      this.#lastRead = now;
      this.#reading = this.#read().finally(() => (this.#reading = undefined));
    }
    await this.#reading;
  }

  async #read(): Promise<void> {
    const { file, variable, logger } = this.o;
    let text: string;
    try {
      text = (await readFile(file, 'utf8')).trim();
      if (!text) throw new Error('file is empty');
    } catch (err) {
      const reason = (err as Error).message;
      if (reason !== this.#lastFailure) logger?.warn({ file }, `${variable}: cannot read the token again (${reason}); the token read before stays in use`);
      this.#lastFailure = reason;
      return;
    }
    this.#lastFailure = undefined;
    if (text === this.#text) return;
    const previous = this.#text;
    this.#text = text;
    this.o.onChange?.(text, previous);
  }
}

/**
 * @module config/client-token
 * A bearer token alertgate sends (SLACK_TOKEN, THANOS_TOKEN). From a file (`NAME_FILE`) it
 * follows the file: when the service refuses it (an auth error), the file is read again
 * (config/secret-file.ts: at most once a second), and if it holds a new token, the refused call
 * is made once more with it. After a Secret rotation the old token is usually revoked; without
 * this, every delivery or query failed until a restart.
 */
import type { Logger } from '../log/logger.js';
import { SecretFile } from './secret-file.js';

export interface ClientToken {
  /** The token to send now. */
  current(): string;
  /**
   * The service refused `used` (`why`: its error, no secret): the token to make the call once
   * more with (the file holds a new one), or undefined (a fixed token, or the file unchanged:
   * the refusal stands).
   */
  refused(used: string, why: string): Promise<string | undefined>;
}

/** A token from the variable itself: fixed until a restart. */
export function fixedClientToken(token: string): ClientToken {
  return { current: () => token, refused: async () => undefined };
}

export interface FileClientTokenOptions {
  /** The token as read at start. */
  token: string;
  file: string;
  /** `SLACK_TOKEN_FILE`, for log lines. */
  variable: string;
  /** Who refuses it, for log lines (`Slack`). */
  service: string;
  logger?: Logger;
  /** Each new token read, before anything may log it (the logger's scrub list). */
  onChange?: (token: string) => void;
  rereadMs?: number;
  now?: () => number;
}

export function fileClientToken(o: FileClientTokenOptions): ClientToken {
  const { logger, variable, service, file } = o;
  const secret = new SecretFile({
    file,
    variable,
    text: o.token,
    ...(o.rereadMs !== undefined ? { rereadMs: o.rereadMs } : {}),
    ...(o.now ? { now: o.now } : {}),
    ...(logger ? { logger } : {}),
    onChange: (token) => {
      o.onChange?.(token);
      logger?.info({ file, variable }, `${variable} read again after ${service} refused its token: it holds a new token, used from now on (the refused call is made again with it)`);
    },
  });
  /** The token an unchanged file was last reported for: once per token, not once per refusal. */
  let reportedUnchanged: string | undefined;
  return {
    current: () => secret.text,
    async refused(used, why) {
      if (secret.text === used) await secret.reread();
      if (secret.text !== used) return secret.text;
      if (reportedUnchanged !== used) {
        reportedUnchanged = used;
        logger?.warn({ file, variable, refusal: why }, `${service} refused the token of ${variable} (${why}) and reading the file again gave no new token: calls keep failing until the Secret holds a valid one`);
      }
      return undefined;
    },
  };
}

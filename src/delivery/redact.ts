/**
 * @module delivery/redact
 * Last line of defence for secrets: every error text and log field a notifier produces passes
 * through here, so a token or routing key echoed back by a server (or embedded in a URL)
 * cannot reach the store, the API or the logs.
 */

export const REDACTED = '[REDACTED]';

/** Replaces every occurrence of each non-empty secret in `text`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    // Very short "secrets" would shred ordinary words; real tokens and keys are long.
    if (!secret || secret.length < 4) continue;
    out = out.split(secret).join(REDACTED);
  }
  return out;
}

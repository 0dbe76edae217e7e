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

/**
 * The credentials a receiver URL's `user:password@` stands for (PAGERDUTY_EVENTS_URL before an
 * authenticating proxy): the password as written and decoded, and the basic-auth credentials
 * node:http sends for them (base64 of the decoded `user:password`), which a refusing proxy may
 * echo in its answer. Without a password the user name is the credential (a proxy taking an API
 * key as user name; node:http sends `user:`), so it is given instead. None for a URL with neither,
 * or one that does not parse.
 */
export function urlCredentials(url: string | undefined): string[] {
  if (!url) return [];
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  if (u.username === '' && u.password === '') return [];
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const user = decode(u.username);
  const password = decode(u.password);
  const secret = u.password === '' ? [u.username, user] : [u.password, password];
  return [...new Set([...secret, Buffer.from(`${user}:${password}`).toString('base64')])];
}

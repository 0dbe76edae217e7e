/**
 * Test helper: no secret in the logs. Checks log lines (raw text or parsed JSON objects) for the
 * exact value of each secret, and for the logger's `[REDACTED]` marker: the logger scrubs known
 * secrets as a last line of defence, so a marker means some code tried to log one.
 * Failures name the secret and the line numbers, never the secret itself.
 */

export const REDACTION_MARKER = '[REDACTED]';

export interface NoSecretsOptions {
  /** Also fail on the logger's redaction marker (default true). */
  forbidRedactionMarker?: boolean;
}

/** Throws when any line holds a secret; returns how many lines were checked. */
export function assertNoSecrets(lines: Iterable<string | object>, secrets: Record<string, string | undefined>, opts: NoSecretsOptions = {}): number {
  const named = Object.entries(secrets).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length > 0);
  if (named.length === 0) throw new Error('assertNoSecrets: no secrets given, so nothing would be checked');
  const found = new Map<string, number[]>();
  let count = 0;
  for (const line of lines) {
    const text = typeof line === 'string' ? line : JSON.stringify(line);
    count += 1;
    const hits = named.filter(([, value]) => text.includes(value)).map(([name]) => name);
    if (opts.forbidRedactionMarker !== false && text.includes(REDACTION_MARKER)) hits.push(REDACTION_MARKER);
    for (const name of hits) found.set(name, [...(found.get(name) ?? []), count]);
  }
  if (found.size > 0) {
    const where = [...found].map(([name, at]) => `${name} in line(s) ${at.slice(0, 10).join(', ')}${at.length > 10 ? ', …' : ''}`);
    throw new Error(`secrets found in ${count} log lines: ${where.join('; ')}`);
  }
  return count;
}

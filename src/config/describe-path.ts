/**
 * @module config/describe-path
 * A place in a config file as messages name it: `routes[1].receivers[0]`, the notation of the
 * schema errors. A key holding a secret (config/looks-like-key.ts: a Slack token or webhook URL, a
 * PagerDuty key pasted as a field's name) is written `<not shown>`: the path is printed with
 * every message about that field or below it, in CI output and the gateway's logs.
 */
import { secretShapeIn } from './looks-like-key.js';

export const NOT_SHOWN = '<not shown>';

export function describePath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => {
      if (typeof p === 'number') return `[${p}]`;
      const name = typeof p === 'string' && secretShapeIn(p) ? NOT_SHOWN : String(p);
      return `${i === 0 ? '' : '.'}${name}`;
    })
    .join('');
}

/** A field's name quoted for a message, or what it looks like when it looks like a secret. */
export function shownName(name: string): string {
  const shape = secretShapeIn(name);
  return shape ? `a name that looks like ${shape} (not shown here)` : `"${name}"`;
}

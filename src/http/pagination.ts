/**
 * @module http/pagination
 * `limit` (default 100, max 1000) and opaque `cursor` of list endpoints.
 */
import { z } from 'zod';

export function listQuerySchema<S extends readonly [string, ...string[]]>(statuses: S) {
  return z.object({
    // No NUL: no team name holds one, and PostgreSQL text cannot (it answered 500).
    team: z.string().min(1).refine((t) => !t.includes('\0'), { message: 'must not contain NUL' }).optional(),
    status: z.enum(statuses).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().min(1).optional(),
  });
}

/** Issues listed in a 400 at most; a webhook of 10,000 bad alerts made a 729 KB answer. */
export const MAX_ISSUES = 100;

/**
 * A 400's `issues`: the first MAX_ISSUES as `{path, message}`, then, when there are more, one
 * more entry at the body's path (`""`) saying how many were left out.
 */
export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  const listed = error.issues.slice(0, MAX_ISSUES).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const more = error.issues.length - listed.length;
  if (more > 0) listed.push({ path: '', message: `and ${more} more issue${more === 1 ? '' : 's'} (the first ${MAX_ISSUES} are listed)` });
  return listed;
}

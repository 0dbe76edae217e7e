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

export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

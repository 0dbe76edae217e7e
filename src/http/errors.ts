/**
 * @module http/errors
 * Every error response is JSON `{"error": "...", ...}` (contract).
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export function jsonError(c: Context, status: ContentfulStatusCode, error: string, extra: Record<string, unknown> = {}): Response {
  return c.json({ error, ...extra }, status);
}

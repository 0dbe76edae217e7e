/**
 * @module http/admin
 * Admin-token guard for mutating endpoints. Without ADMIN_TOKEN, admin writes are refused.
 */
import type { MiddlewareHandler } from 'hono';
import { bearerToken, unauthorized, type AcceptedToken } from './auth.js';
import { jsonError } from './errors.js';

export function requireAdmin(adminToken: AcceptedToken | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (adminToken === undefined) return jsonError(c, 403, 'admin endpoints are disabled: set ADMIN_TOKEN or ADMIN_TOKEN_FILE');
    const presented = bearerToken(c.req.header('authorization'));
    // The file checked first (at most once a second), match or not: a swapped admin token (cut
    // off because it leaked) is refused at once, not only after someone has used the new one.
    if (!(await adminToken.matchesFresh(presented))) {
      return unauthorized(c, presented, 'missing or invalid admin bearer token');
    }
    await next();
  };
}

/**
 * @module http/auth
 * Bearer-token checks, compared in constant time (hash both sides so length leaks nothing).
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { jsonError } from './errors.js';

function digest(s: string): Buffer {
  return hash('sha256', s, 'buffer');
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  return m?.[1]?.trim();
}

/** The configured token's digest, kept: it is the same on every request. */
let expectedDigest: { token: string; digest: Buffer } | undefined;

export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (expectedDigest?.token !== expected) expectedDigest = { token: expected, digest: digest(expected) };
  // Always compare, even with nothing presented, so timing says nothing about which case we hit.
  const ok = timingSafeEqual(digest(presented ?? ''), expectedDigest.digest);
  return ok && presented !== undefined;
}

/**
 * A 401 with the challenge RFC 9110 §11.6.1 requires (`WWW-Authenticate`); `error="invalid_token"`
 * when a bearer token was presented and refused (RFC 6750 §3.1), none when there was none.
 */
export function unauthorized(c: Context, presented: string | undefined, error: string): Response {
  c.header('WWW-Authenticate', presented === undefined ? 'Bearer realm="alertgate"' : 'Bearer realm="alertgate", error="invalid_token"');
  return jsonError(c, 401, error);
}

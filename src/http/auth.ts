/**
 * @module http/auth
 * Bearer-token checks, compared in constant time (hash both sides so length leaks nothing).
 */
import { hash, timingSafeEqual } from 'node:crypto';

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

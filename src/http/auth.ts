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

export function tokenMatches(presented: string | undefined, expected: string): boolean {
  // Always compare, even with nothing presented, so timing says nothing about which case we hit.
  const ok = timingSafeEqual(digest(presented ?? ''), digest(expected));
  return ok && presented !== undefined;
}

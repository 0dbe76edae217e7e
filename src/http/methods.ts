/**
 * @module http/methods
 * Which methods a path takes, from the routes the app registered: a request with another method
 * is a 405 with `Allow` (RFC 9110 §15.5.6), not a 404 that says the path does not exist, and
 * OPTIONS answers the list (204). Paths no route matches stay 404.
 */
import type { Context, Hono } from 'hono';
import { jsonError } from './errors.js';

/** Method order in `Allow`: reads first, then writes. */
const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

interface PathMethods {
  pattern: RegExp;
  methods: Set<string>;
}

/** A Hono path (`/v1/notifications/:id/retry`) as a regex of a whole request path. */
function pathPattern(path: string): RegExp {
  const segments = path.split('/').map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${segments.join('/')}$`);
}

/**
 * `allowedMethods(path)`: the `Allow` value for a path, or undefined when no route matches it.
 * Read from `app.routes` once, when first asked (every route is registered by then).
 */
export function allowedMethodsOf(app: Hono): (path: string) => string | undefined {
  let table: PathMethods[] | undefined;
  const build = (): PathMethods[] => {
    const byPath = new Map<string, Set<string>>();
    for (const r of app.routes) {
      if (r.method === 'ALL') continue; // middleware, not a route of its own
      const methods = byPath.get(r.path) ?? new Set<string>();
      methods.add(r.method);
      // Hono answers HEAD from a GET route (the same answer without its body).
      if (r.method === 'GET') methods.add('HEAD');
      methods.add('OPTIONS');
      byPath.set(r.path, methods);
    }
    return [...byPath].map(([path, methods]) => ({ pattern: pathPattern(path), methods }));
  };
  return (path) => {
    table ??= build();
    const methods = new Set(table.filter((t) => t.pattern.test(path)).flatMap((t) => [...t.methods]));
    return methods.size === 0 ? undefined : ORDER.filter((m) => methods.has(m)).join(', ');
  };
}

/** The answer to a request no route took: OPTIONS' 204, a 405 with `Allow`, or undefined (a 404). */
export function methodAnswer(c: Context, allow: string | undefined): Response | undefined {
  if (allow === undefined) return undefined;
  const method = c.req.method;
  // A route of this method passed the request on (`/uptime/style.css/` is no team page): not found.
  if (method !== 'OPTIONS' && allow.split(', ').includes(method)) return undefined;
  c.header('Allow', allow);
  if (method === 'OPTIONS') return c.body(null, 204);
  return jsonError(c, 405, `${c.req.method} is not allowed on ${c.req.path}; it takes ${allow}`);
}

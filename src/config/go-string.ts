/**
 * @module config/go-string
 * Go's quoted strings, as PromQL (config/promql-ast.ts) and Go templates (config/go-template.ts)
 * write them.
 */

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };

/**
 * A quoted string's value as Go's strconv.Unquote reads it (`"…"` with Go's escapes, `'…'`,
 * raw `` `…` ``), or undefined when it is not one. PromQL string literals and Go template string
 * literals both follow it.
 */
export function unquoteGoString(raw: string): string | undefined {
  const q = raw[0];
  if (raw.length < 2 || raw.at(-1) !== q) return undefined;
  const body = raw.slice(1, -1);
  if (q === '`') return body;
  if (q !== '"' && q !== "'") return undefined;
  let bad = false;
  const value = body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|[\s\S])/g, (_, e: string) => {
    if (e.length === 1) {
      const s = ESCAPES[e];
      if (s === undefined) bad = true;
      return s ?? '';
    }
    if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    const cp = parseInt(e.slice(1), 16);
    if (cp > 0x10ffff) bad = true;
    return bad ? '' : String.fromCodePoint(cp);
  });
  return bad ? undefined : value;
}

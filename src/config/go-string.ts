/**
 * @module config/go-string
 * Go's quoted strings, as PromQL (config/promql-ast.ts) and Go templates (config/go-template.ts)
 * write them.
 */

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };

/** Why Go's strconv.Unquote refuses a quoted string: the offending escape's offset inside `raw`, and what is wrong. */
export interface GoStringError {
  offset: number;
  message: string;
  /** An escape Go does not know (`\d`), as opposed to a code point it cannot be. */
  unknownEscape: boolean;
}

/**
 * A quoted string's value as Go's strconv.Unquote reads it (`"…"` with Go's escapes, `'…'`,
 * raw `` `…` ``), or undefined when it is not one. PromQL string literals and Go template string
 * literals both follow it.
 */
export function unquoteGoString(raw: string): string | undefined {
  return goStringError(raw) === undefined ? unescape(raw) : undefined;
}

/** The first escape of the quoted string `raw` that Go's strconv refuses, or undefined when it unquotes. */
export function goStringError(raw: string): GoStringError | undefined {
  const q = raw[0];
  if (raw.length < 2 || raw.at(-1) !== q || (q !== '"' && q !== "'" && q !== '`')) {
    return { offset: 0, message: 'is not a quoted string', unknownEscape: false };
  }
  if (q === '`') return undefined;
  const escape = /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|[\s\S])/g;
  for (const m of raw.slice(1, -1).matchAll(escape)) {
    const e = m[1]!;
    const offset = 1 + m.index;
    if (e.length === 1) {
      // strconv.UnquoteChar: `\'` only inside '…', `\"` only inside "…".
      if ((e === "'" || e === '"') && e !== q) {
        return { offset, message: `has \\${e}, which Go allows only inside ${e}…${e}: write ${e} without the backslash`, unknownEscape: false };
      }
      if (ESCAPES[e] === undefined) return { offset, message: `has an unknown escape sequence \\${e}`, unknownEscape: true };
      continue;
    }
    // `\377` and `\xff` are bytes (octal caps at 255); `\u`/`\U` must be a code point, not a surrogate half.
    const octal = /^[0-7]{3}$/.test(e);
    const cp = octal ? parseInt(e, 8) : parseInt(e.slice(1), 16);
    const codePoint = e[0] === 'u' || e[0] === 'U';
    if ((octal && cp > 0xff) || (codePoint && (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)))) {
      return { offset, message: `has an escape sequence that is not a valid Unicode code point: \\${e}`, unknownEscape: false };
    }
  }
  return undefined;
}

/** The value of a quoted string goStringError accepts. */
function unescape(raw: string): string {
  const body = raw.slice(1, -1);
  if (raw[0] === '`') return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|[\s\S])/g, (_, e: string) => {
    if (e.length === 1) return ESCAPES[e]!;
    if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return String.fromCodePoint(parseInt(e.slice(1), 16));
  });
}

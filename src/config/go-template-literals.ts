/**
 * @module config/go-template-literals
 * The checks Go's template parser makes on literal tokens with strconv: numbers (underscores,
 * `0x`/`0o`/`0b` and legacy octal prefixes, integers too large for 64 bits), character constants
 * and the escapes of quoted strings; and the value of a template name.
 *
 * Why these rules are written out instead of JavaScript's `Number()` or `JSON.parse`: those read
 * other literals than strconv does (`017` is decimal to `Number()`, octal to Go; `\a` and `\x41`
 * are no JSON escapes), and a template Go refuses must not pass `validate`. They are functions the
 * parser calls on a token, not lexer rules, because Go's lexer accepts `0x` or `"\q"` as tokens
 * and only its parser refuses them, so an earlier parse error is reported first.
 */
import { charAt, goQuote } from './go-template-lex.js';
import { unquoteGoString } from './go-string.js';

const D = String.raw`\d(?:_?\d)*`;
const H = String.raw`[0-9a-fA-F](?:_?[0-9a-fA-F])*`;
/** strconv.ParseInt/ParseUint with base 0 (sign, 0x/0o/0b/legacy octal, underscores between digits). */
const GO_INT = new RegExp(String.raw`^[+-]?(?:0[xX]_?${H}|0[bB]_?[01](?:_?[01])*|0[oO]_?[0-7](?:_?[0-7])*|0(?:_?[0-7])*|[1-9](?:_?\d)*)$`);
/** strconv.ParseFloat: decimal with optional fraction and exponent, or hexadecimal with a p exponent. */
const GO_DEC_FLOAT = new RegExp(String.raw`^[+-]?(?:${D}(?:\.(?:${D})?)?|\.${D})(?:[eE][+-]?${D})?$`);
const GO_HEX_FLOAT = new RegExp(String.raw`^[+-]?0[xX](?:_?${H}(?:\.(?:${H})?)?|\.${H})[pP][+-]?${D}$`);

function intFits(text: string): boolean {
  let t = text.replace(/_/g, '');
  const sign = t[0] === '-' || t[0] === '+' ? t[0] : '';
  if (sign) t = t.slice(1);
  let v: bigint;
  if (/^0[oO]/.test(t)) v = BigInt(`0o${t.slice(2)}`);
  else if (/^0[0-7]+$/.test(t)) v = BigInt(`0o${t.slice(1)}`);
  else v = BigInt(t); // decimal, 0x…, 0b…
  // ParseUint (no sign) takes up to 2^64-1; ParseInt (a sign allowed) -2^63 to 2^63-1.
  if (sign === '-') return v <= 2n ** 63n;
  return v <= (sign === '+' ? 2n ** 63n - 1n : 2n ** 64n - 1n);
}

function parsesAsFloat(text: string): boolean {
  if (GO_HEX_FLOAT.test(text)) return true;
  if (!GO_DEC_FLOAT.test(text)) return false;
  return Number.isFinite(Number(text.replace(/_/g, ''))); // ParseFloat fails on overflow (ErrRange)
}

/** The parser's `newNumber` for a Number token: undefined when Go takes it, else the error. */
export function numberError(text: string): string | undefined {
  // An imaginary constant: a float then `i`.
  if (text.endsWith('i') && parsesAsFloat(text.slice(0, -1))) return undefined;
  if (GO_INT.test(text) && intFits(text)) return undefined;
  if (parsesAsFloat(text)) {
    // A float that looks like an integer: one too large for 64 bits (or `089`, which is no octal).
    return /[.eEpP]/.test(text) ? undefined : `integer overflow: ${goQuote(text)}`;
  }
  return `illegal number syntax: ${goQuote(text)}`;
}

/**
 * strconv.UnquoteChar: the length of the one (possibly escaped) character at `s[i]` of a literal
 * quoted with `quote`, or -1 when it is not valid there.
 */
function unquoteCharLength(s: string, i: number, quote: string): number {
  const c = s[i];
  if (c === undefined) return -1;
  if (c === quote && (quote === "'" || quote === '"')) return -1;
  if (c !== '\\') return charAt(s, i)!.length;
  const e = s[i + 1];
  if (e === undefined) return -1;
  if ('abfnrtv\\'.includes(e)) return 2;
  if (e === "'" || e === '"') return e === quote ? 2 : -1;
  const hex = (n: number): number => {
    const h = s.slice(i + 2, i + 2 + n);
    if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) return -1;
    if (e === 'x') return 2 + n;
    const v = parseInt(h, 16);
    return v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ? -1 : 2 + n;
  };
  if (e === 'x') return hex(2);
  if (e === 'u') return hex(4);
  if (e === 'U') return hex(8);
  if (e >= '0' && e <= '7') {
    const o = s.slice(i + 1, i + 4);
    return /^[0-7]{3}$/.test(o) && parseInt(o, 8) <= 255 ? 4 : -1;
  }
  return -1;
}

/** strconv.Unquote of an interpreted string literal `"…"` (raw strings always unquote). */
export function stringLiteralError(lit: string): boolean {
  for (let i = 1; i < lit.length - 1; ) {
    const n = unquoteCharLength(lit, i, '"');
    if (n < 0) return true;
    i += n;
  }
  return false;
}

/** The parser's check of a character constant `'x'`. */
export function charConstantError(lit: string): string | undefined {
  const n = unquoteCharLength(lit, 1, "'");
  if (n < 0) return 'invalid syntax';
  if (lit.slice(1 + n) !== "'") return `malformed character constant: ${lit}`;
  return undefined;
}

/** The value of a (valid) string or raw string literal, for template names. */
export function unquote(lit: string): string {
  if (lit.startsWith('`')) return lit.slice(1, -1).replace(/\r/g, '');
  // An escape Go would refuse was reported by the lexer; the name only tells definitions apart.
  return unquoteGoString(lit) ?? lit.slice(1, -1);
}

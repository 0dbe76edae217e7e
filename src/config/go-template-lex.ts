/**
 * @module config/go-template-lex
 * The tokens of a Go `text/template` text, cut as Go's text/template/parse/lex.go cuts them, for
 * the parser in go-template-parse.ts.
 *
 * Why a lexer of its own rather than a regular expression over `{{ … }}`: where an action ends
 * depends on what is inside it (a `}}` in a quoted or raw string, a comment `{{/* … *\/}}`, the
 * trim markers `{{- ` and ` -}}`), and Go reports some errors while lexing (an unterminated
 * string, a bad character after a field, an unbalanced paren) with messages and offsets that
 * `validate` should repeat. Numbers are scanned as permissively as Go scans them: whether a
 * literal is valid is decided later by the parser (go-template-literals.ts), as in Go, so that an
 * earlier parse error is reported first.
 */
export const enum T {
  Error,
  Bool,
  Char, // a printable ASCII character: the grab bag for ',' and the like
  CharConstant,
  Complex,
  Assign,
  Declare,
  EOF,
  Field,
  Identifier,
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,
  // Keywords after this one (Go's itemKeyword).
  Keyword,
  Block,
  Break,
  Continue,
  Define,
  Dot,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
}

const KEYWORDS: ReadonlyMap<string, T> = new Map([
  ['.', T.Dot],
  ['block', T.Block],
  ['break', T.Break],
  ['continue', T.Continue],
  ['define', T.Define],
  ['else', T.Else],
  ['end', T.End],
  ['if', T.If],
  ['range', T.Range],
  ['nil', T.Nil],
  ['template', T.Template],
  ['with', T.With],
]);

export interface Token {
  typ: T;
  /** Offset of the token (for an error: of what the error is about). */
  pos: number;
  val: string;
}

const LEFT = '{{';
const RIGHT = '}}';

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

const ALNUM = /^[\p{L}\p{Nd}_]$/u;
function isAlphaNumeric(c: string | undefined): boolean {
  return c !== undefined && ALNUM.test(c);
}

/** The code point at `i` as a string (one or two UTF-16 units), or undefined at the end. */
export function charAt(s: string, i: number): string | undefined {
  if (i >= s.length) return undefined;
  const cp = s.codePointAt(i)!;
  return String.fromCodePoint(cp);
}

/** Go's `%#U`: `U+002D '-'`. */
function formatU(c: string | undefined): string {
  if (c === undefined) return 'EOF';
  const cp = c.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return /^[\p{L}\p{N}\p{P}\p{S}\p{Zs}]$/u.test(c) ? `U+${hex} '${c}'` : `U+${hex}`;
}

/** Go's `%q`, close enough for messages. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** `{{- ` starts an action trimming the text before it: a minus then a space. */
function hasLeftTrimMarker(s: string, i: number): boolean {
  return s[i] === '-' && isSpace(s[i + 1]);
}

/** ` -}}` ends an action trimming the text after it. */
function atRightDelim(s: string, i: number): { delim: boolean; trim: boolean } {
  if (isSpace(s[i]) && s[i + 1] === '-' && s.startsWith(RIGHT, i + 2)) return { delim: true, trim: true };
  return { delim: s.startsWith(RIGHT, i), trim: false };
}

/**
 * Every token of `s`, ending with EOF or with the first lexical error (Go's lexer stops there
 * too; the parser reports it when it reaches it, so an earlier parse error wins, as in Go).
 */
export function lex(s: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  const error = (at: number, message: string): Token[] => {
    out.push({ typ: T.Error, pos: at, val: message });
    return out;
  };
  for (;;) {
    // Text up to the next action.
    const x = s.indexOf(LEFT, pos);
    if (x < 0) {
      if (pos < s.length) out.push({ typ: T.Text, pos, val: s.slice(pos) });
      out.push({ typ: T.EOF, pos: s.length, val: '' });
      return out;
    }
    if (x > pos) out.push({ typ: T.Text, pos, val: s.slice(pos, x) });
    const actionStart = x;
    pos = x + LEFT.length;
    const trimLeft = hasLeftTrimMarker(s, pos);
    const afterMarker = trimLeft ? 2 : 0;
    if (s.startsWith('/*', pos + afterMarker)) {
      // A comment: `{{/*` (or `{{- /*`) up to `*/}}` (or `*/ -}}`), dropped.
      const end = s.indexOf('*/', pos + afterMarker + 2);
      if (end < 0) return error(actionStart, 'unclosed comment');
      pos = end + 2;
      const r = atRightDelim(s, pos);
      if (!r.delim) return error(pos, 'comment ends before closing delimiter');
      pos += (r.trim ? 2 : 0) + RIGHT.length;
      continue;
    }
    out.push({ typ: T.LeftDelim, pos: actionStart, val: LEFT });
    pos += afterMarker;
    // Inside the action.
    const parens: number[] = [];
    for (;;) {
      const r = atRightDelim(s, pos);
      if (r.delim) {
        if (parens.length > 0) return error(parens[parens.length - 1]!, 'unclosed left paren');
        out.push({ typ: T.RightDelim, pos, val: RIGHT });
        pos += (r.trim ? 2 : 0) + RIGHT.length;
        break;
      }
      const start = pos;
      const c = charAt(s, pos);
      if (c === undefined) return error(actionStart, 'unclosed action');
      if (isSpace(c)) {
        let n = 0;
        while (isSpace(s[pos])) {
          pos++;
          n++;
        }
        // ` -}}`: the last space belongs to the trim marker.
        if (s[pos] === '-' && s.startsWith(RIGHT, pos + 1)) {
          pos--;
          if (n === 1) continue; // on the trim-marked delimiter
        }
        out.push({ typ: T.Space, pos: start, val: s.slice(start, pos) });
        continue;
      }
      pos += c.length;
      switch (c) {
        case '=':
          out.push({ typ: T.Assign, pos: start, val: c });
          continue;
        case ':':
          if (s[pos] !== '=') return error(start, 'expected :=');
          pos++;
          out.push({ typ: T.Declare, pos: start, val: ':=' });
          continue;
        case '|':
          out.push({ typ: T.Pipe, pos: start, val: c });
          continue;
        case '(':
          parens.push(start);
          out.push({ typ: T.LeftParen, pos: start, val: c });
          continue;
        case ')':
          if (parens.pop() === undefined) return error(start, 'unexpected right paren');
          out.push({ typ: T.RightParen, pos: start, val: c });
          continue;
        case '"': {
          const end = quotedEnd(s, pos, '"');
          if (end === undefined) return error(start, 'unterminated quoted string');
          pos = end;
          out.push({ typ: T.String, pos: start, val: s.slice(start, pos) });
          continue;
        }
        case '`': {
          const end = s.indexOf('`', pos);
          if (end < 0) return error(start, 'unterminated raw quoted string');
          pos = end + 1;
          out.push({ typ: T.RawString, pos: start, val: s.slice(start, pos) });
          continue;
        }
        case "'": {
          const end = quotedEnd(s, pos, "'");
          if (end === undefined) return error(start, 'unterminated character constant');
          pos = end;
          out.push({ typ: T.CharConstant, pos: start, val: s.slice(start, pos) });
          continue;
        }
        case '$':
        case '.': {
          // `.5` is a number; `.`, `.Field`, `$`, `$name` otherwise.
          if (c === '.' && s[pos] !== undefined && s[pos]! >= '0' && s[pos]! <= '9') break;
          if (atTerminator(s, pos)) {
            out.push({ typ: c === '$' ? T.Variable : T.Dot, pos: start, val: c });
            continue;
          }
          let d = charAt(s, pos);
          while (isAlphaNumeric(d)) {
            pos += d!.length;
            d = charAt(s, pos);
          }
          if (!atTerminator(s, pos)) return error(pos, `bad character ${formatU(d)}`);
          out.push({ typ: c === '$' ? T.Variable : T.Field, pos: start, val: s.slice(start, pos) });
          continue;
        }
        default:
          break;
      }
      if (c === '+' || c === '-' || c === '.' || (c >= '0' && c <= '9')) {
        pos = start;
        const n = scanNumber(s, pos);
        if (!n.ok) return error(start, `bad number syntax: ${goQuote(s.slice(start, n.end))}`);
        pos = n.end;
        if (s[pos] === '+' || s[pos] === '-') {
          // A complex constant: 1+2i, no spaces, ending in i.
          const m = scanNumber(s, pos);
          pos = m.end;
          if (!m.ok || s[pos - 1] !== 'i') return error(start, `bad number syntax: ${goQuote(s.slice(start, pos))}`);
          out.push({ typ: T.Complex, pos: start, val: s.slice(start, pos) });
          continue;
        }
        out.push({ typ: T.Number, pos: start, val: s.slice(start, pos) });
        continue;
      }
      if (isAlphaNumeric(c)) {
        let d = charAt(s, pos);
        while (isAlphaNumeric(d)) {
          pos += d!.length;
          d = charAt(s, pos);
        }
        if (!atTerminator(s, pos)) return error(pos, `bad character ${formatU(d)}`);
        const word = s.slice(start, pos);
        const kw = KEYWORDS.get(word);
        if (kw !== undefined) out.push({ typ: kw, pos: start, val: word });
        else if (word === 'true' || word === 'false') out.push({ typ: T.Bool, pos: start, val: word });
        else out.push({ typ: T.Identifier, pos: start, val: word });
        continue;
      }
      if (c.length === 1 && c >= ' ' && c <= '~') {
        out.push({ typ: T.Char, pos: start, val: c });
        continue;
      }
      return error(start, `unrecognized character in action: ${formatU(c)}`);
    }
  }
}

/**
 * After an identifier, field or variable: a space, the end, `.` `,` `|` `:` `(` `)` or the right
 * delimiter. (Go 1.19 accepts any `}` here, newer Go only `}}`; either way a lone `}` is then an
 * error, so the difference only changes the message.)
 */
/**
 * Where a quoted string or character constant opened just before `from` ends (the index after
 * its closing `quote`), as Go's lexer scans them: a backslash escapes the next character but a
 * newline, and a newline or the end of the text leaves it unterminated (undefined).
 */
function quotedEnd(s: string, from: number, quote: '"' | "'"): number | undefined {
  let pos = from;
  for (;;) {
    const q = s[pos++];
    if (q === '\\') {
      const e = s[pos++];
      if (e !== undefined && e !== '\n') continue;
    }
    if (q === undefined || q === '\n' || q === '\\') return undefined;
    if (q === quote) return pos;
  }
}

function atTerminator(s: string, i: number): boolean {
  const c = s[i];
  if (c === undefined || isSpace(c)) return true;
  return '.,|:()'.includes(c) || s.startsWith(RIGHT, i);
}

/** Go's lexer `scanNumber`: permissive; the parser checks the literal. */
function scanNumber(s: string, i: number): { ok: boolean; end: number } {
  const accept = (valid: string): boolean => {
    if (s[i] !== undefined && valid.includes(s[i]!)) {
      i++;
      return true;
    }
    return false;
  };
  const acceptRun = (valid: string): void => {
    while (accept(valid));
  };
  accept('+-');
  let digits = '0123456789_';
  if (accept('0')) {
    if (accept('xX')) digits = '0123456789abcdefABCDEF_';
    else if (accept('oO')) digits = '01234567_';
    else if (accept('bB')) digits = '01_';
  }
  acceptRun(digits);
  if (accept('.')) acceptRun(digits);
  if (digits.length === 11 && accept('eE')) {
    accept('+-');
    acceptRun('0123456789_');
  }
  if (digits.length === 23 && accept('pP')) {
    accept('+-');
    acceptRun('0123456789_');
  }
  accept('i');
  const next = charAt(s, i);
  if (isAlphaNumeric(next)) return { ok: false, end: i + next!.length };
  return { ok: true, end: i };
}

/** Go's item String(): `<keyword>`, EOF, or the quoted text (cut at 10 characters). */
export function describeToken(t: Token): string {
  if (t.typ === T.EOF) return 'EOF';
  if (t.typ > T.Keyword) return `<${t.val}>`;
  if ([...t.val].length > 10) return `${goQuote([...t.val].slice(0, 10).join(''))}...`;
  return goQuote(t.val);
}

/**
 * @module config/go-template
 * A syntax check of Go `text/template` text, as Prometheus parses the annotations and labels of
 * alerting rules.
 *
 * Why: Prometheus expands every annotation and label value of an alerting rule as a Go template
 * (with `$labels`, `$value`… and its own template functions), and `promtool check rules` (and the
 * Prometheus Operator's admission webhook) refuse a rule whose template does not parse. An alert
 * with `summary: "Instance {{ $labels.instance is down"` passed `alertgate validate` and
 * `generate`, and only failed once deployed (`function "is" not defined`). This module reports
 * such errors at validation time, at the offending character.
 *
 * It follows Go's `text/template/parse` (lex.go and parse.go) closely: the same tokens (trim
 * markers `{{- … -}}`, comments `{{/* … *\/}}`, strings, raw strings, characters, numbers,
 * fields, variables, `:=` and `=`), the same grammar (pipelines, parenthesised pipelines,
 * if/else if/else/range/with/define/template/block/break/continue/end), the same checks made at
 * parse time (function names must exist, variables must be declared, numbers and quoted strings
 * must be valid Go literals) and messages close to Go's. Only parsing is checked: a template that
 * parses may still fail at execution (a missing map key, a wrong argument type), which neither
 * promtool nor this module can know.
 *
 * It errs on the side of accepting: where Go versions differ it accepts what any of them accepts
 * (`{{else with}}` is Go 1.23+, promtool 2.42 is built with Go 1.19), and it knows the template
 * functions of recent Prometheus releases as well as older ones (`toDuration`, `now` and
 * `urlQueryEscape` are newer than promtool 2.42).
 *
 * @example
 * findGoTemplateError('Instance {{ $labels.instance is down') // → { offset: 29, message: 'function "is" not defined' }
 */
import { unquoteGoString } from './go-string.js';

/** Go text/template's predefined functions (text/template/funcs.go `builtins`). */
export const GO_TEMPLATE_BUILTINS: readonly string[] = [
  'and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery',
  'eq', 'ge', 'gt', 'le', 'lt', 'ne',
];

/**
 * The template functions Prometheus adds for alerting rules (template/template.go
 * `NewTemplateExpander`), across releases: a function a newer Prometheus knows is accepted.
 * `tmpl` is only defined for console templates, not alert fields.
 */
export const PROMETHEUS_TEMPLATE_FUNCTIONS: readonly string[] = [
  'query', 'first', 'label', 'value', 'strvalue', 'args', 'reReplaceAll', 'safeHtml', 'match', 'title', 'toUpper',
  'toLower', 'graphLink', 'tableLink', 'sortByLabel', 'stripPort', 'stripDomain', 'humanize', 'humanize1024',
  'humanizeDuration', 'humanizePercentage', 'humanizeTimestamp', 'toTime', 'pathPrefix', 'externalURL', 'parseDuration',
  // Added after Prometheus 2.42 (the Debian promtool the tests run): accepted, a newer Prometheus has them.
  'toDuration', 'now', 'urlQueryEscape',
];

/** Functions promtool 2.42 does not know but newer Prometheus releases do. */
export const NEWER_PROMETHEUS_FUNCTIONS: readonly string[] = ['toDuration', 'now', 'urlQueryEscape'];

/**
 * Variables Prometheus declares before an alert's template text (rules/alerting.go and
 * model/rulefmt's parse test prepend
 * `{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}`);
 * `$` is declared by Go itself.
 */
export const PROMETHEUS_ALERT_VARIABLES: readonly string[] = ['$labels', '$externalLabels', '$externalURL', '$value'];

const DEFAULT_FUNCTIONS: ReadonlySet<string> = new Set([...GO_TEMPLATE_BUILTINS, ...PROMETHEUS_TEMPLATE_FUNCTIONS]);

export interface GoTemplateError {
  /** UTF-16 offset into the text of the character the error is about. */
  offset: number;
  message: string;
}

export interface GoTemplateOptions {
  /** Function names that exist; default Go's builtins and Prometheus' alert template functions. */
  functions?: ReadonlySet<string>;
  /** Variables declared before the text; default Prometheus' alert variables. `$` always is. */
  variables?: readonly string[];
}

/** The first syntax error of `text` as a Go template, or undefined when it parses. */
export function findGoTemplateError(text: string, opts: GoTemplateOptions = {}): GoTemplateError | undefined {
  // Text without an action is a template that prints itself: the common case, kept cheap.
  if (!text.includes('{{')) return undefined;
  const parser = new Parser(lex(text), opts.functions ?? DEFAULT_FUNCTIONS, ['$', ...(opts.variables ?? PROMETHEUS_ALERT_VARIABLES)]);
  try {
    parser.parse();
    return undefined;
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return { offset: err.offset, message: err.message };
    throw err;
  }
}

class TemplateSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Lexer (text/template/parse/lex.go)

const enum T {
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

interface Token {
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
function charAt(s: string, i: number): string | undefined {
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
function lex(s: string): Token[] {
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
          for (;;) {
            const q = s[pos++];
            if (q === '\\') {
              const e = s[pos++];
              if (e !== undefined && e !== '\n') continue;
            }
            if (q === undefined || q === '\n' || q === '\\') return error(start, 'unterminated quoted string');
            if (q === '"') break;
          }
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
          for (;;) {
            const q = s[pos++];
            if (q === '\\') {
              const e = s[pos++];
              if (e !== undefined && e !== '\n') continue;
            }
            if (q === undefined || q === '\n' || q === '\\') return error(start, 'unterminated character constant');
            if (q === "'") break;
          }
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

// ---------------------------------------------------------------------------------------------
// Literals (strconv, as the parser uses it)

/** Go's `%q`, close enough for messages. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

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
function numberError(text: string): string | undefined {
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
function stringLiteralError(lit: string): boolean {
  for (let i = 1; i < lit.length - 1; ) {
    const n = unquoteCharLength(lit, i, '"');
    if (n < 0) return true;
    i += n;
  }
  return false;
}

/** The parser's check of a character constant `'x'`. */
function charConstantError(lit: string): string | undefined {
  const n = unquoteCharLength(lit, 1, "'");
  if (n < 0) return 'invalid syntax';
  if (lit.slice(1 + n) !== "'") return `malformed character constant: ${lit}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Parser (text/template/parse/parse.go)

type NodeKind =
  | 'text'
  | 'blank' // text of spaces only, or nothing (a comment): an "empty" template body
  | 'action'
  | 'control'
  | 'end'
  | 'else'
  | 'bool'
  | 'dot'
  | 'nil'
  | 'number'
  | 'string'
  | 'field'
  | 'variable'
  | 'identifier'
  | 'pipe'
  | 'chain';

interface Node {
  kind: NodeKind;
  pos: number;
  text?: string;
}

const OPERAND_START = new Set([
  T.Bool, T.CharConstant, T.Complex, T.Dot, T.Field, T.Identifier, T.Number, T.Nil, T.RawString, T.String, T.Variable, T.LeftParen,
]);

class Parser {
  private i = 0;
  private rangeDepth = 0;
  /** Names of templates defined so far, and whether their body is non-empty (Go's IsEmptyTree). */
  private readonly defined = new Map<string, boolean>();

  constructor(
    private readonly toks: Token[],
    private readonly funcs: ReadonlySet<string>,
    private vars: string[],
  ) {}

  private fail(pos: number, message: string): never {
    throw new TemplateSyntaxError(pos, message);
  }

  private next(): Token {
    const t = this.toks[this.i]!;
    if (t.typ !== T.EOF && t.typ !== T.Error) this.i++;
    return t;
  }

  private backup(): void {
    this.i--;
  }

  private peek(): Token {
    return this.toks[this.i]!;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.typ === T.Space) t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    while (this.toks[this.i]!.typ === T.Space) this.i++;
    return this.toks[this.i]!;
  }

  /** An error or EOF token is never consumed, so backing up after one must not move. */
  private backupAfter(t: Token): void {
    if (t.typ !== T.EOF && t.typ !== T.Error) this.backup();
  }

  private unexpected(t: Token, context: string): never {
    if (t.typ === T.Error) this.fail(t.pos, t.val);
    this.fail(t.pos, `unexpected ${describeToken(t)} in ${context}`);
  }

  private expect(typ: T, context: string): Token {
    const t = this.nextNonSpace();
    if (t.typ !== typ) this.unexpected(t, context);
    return t;
  }

  parse(): void {
    while (this.peek().typ !== T.EOF) {
      if (this.peek().typ === T.LeftDelim) {
        const mark = this.i;
        const delim = this.next();
        if (this.nextNonSpace().typ === T.Define) {
          this.parseDefinition(delim.pos);
          continue;
        }
        this.i = mark;
      }
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') this.fail(n.pos, `unexpected {{${n.kind}}}`);
    }
  }

  /** A template body parsed as Go parses a define or block: its own variables, outside any range. */
  private subTemplate<R>(body: () => R): R {
    const vars = this.vars;
    const depth = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    try {
      return body();
    } finally {
      this.vars = vars;
      this.rangeDepth = depth;
    }
  }

  private add(name: string, nonEmpty: boolean, pos: number): void {
    const before = this.defined.get(name);
    if (before === undefined || !before) this.defined.set(name, nonEmpty);
    else if (nonEmpty) this.fail(pos, `multiple definition of template ${goQuote(name)}`);
  }

  /** `{{define "name"}} … {{end}}`; the keyword is past. */
  private parseDefinition(delimPos: number): void {
    const context = 'define clause';
    const name = this.nextNonSpace();
    if (name.typ !== T.String && name.typ !== T.RawString) this.unexpected(name, context);
    this.checkString(name);
    this.expect(T.RightDelim, context);
    this.subTemplate(() => {
      const { nonEmpty, next } = this.itemList('define', delimPos);
      if (next.kind !== 'end') this.fail(next.pos, `unexpected {{${next.kind}}} in ${context}`);
      this.add(unquote(name.val), nonEmpty, delimPos);
    });
  }

  /** textOrAction* up to an {{end}} or {{else}}, which is returned. */
  private itemList(opened: string, delimPos: number): { nonEmpty: boolean; next: Node } {
    let nonEmpty = false;
    while (this.peekNonSpace().typ !== T.EOF) {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') return { nonEmpty, next: n };
      if (n.kind !== 'blank') nonEmpty = true;
    }
    return this.fail(delimPos, `unexpected EOF: missing {{end}} for {{${opened}}}`);
  }

  private textOrAction(): Node {
    const t = this.nextNonSpace();
    if (t.typ === T.Text) return { kind: t.val.trim() === '' ? 'blank' : 'text', pos: t.pos };
    if (t.typ === T.LeftDelim) return this.action(t.pos);
    return this.unexpected(t, 'input');
  }

  /** An action: a control keyword or a pipeline. The left delimiter is past. */
  private action(delimPos: number): Node {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case T.Block:
        return this.blockControl(delimPos);
      case T.Break:
      case T.Continue: {
        const word = t.val;
        const r = this.nextNonSpace();
        if (r.typ !== T.RightDelim) this.unexpected(r, `{{${word}}}`);
        if (this.rangeDepth === 0) this.fail(delimPos, `{{${word}}} outside {{range}}`);
        return { kind: 'action', pos: delimPos };
      }
      case T.Else: {
        // `{{else if …` and `{{else with …` leave the keyword for parseControl.
        const p = this.peekNonSpace();
        if (p.typ !== T.If && p.typ !== T.With) this.expect(T.RightDelim, 'else');
        return { kind: 'else', pos: delimPos };
      }
      case T.End:
        this.expect(T.RightDelim, 'end');
        return { kind: 'end', pos: delimPos };
      case T.If:
      case T.Range:
      case T.With:
        this.parseControl(t.val, delimPos);
        return { kind: 'control', pos: delimPos };
      case T.Template:
        return this.templateControl(delimPos);
      default:
        break;
    }
    this.backupAfter(t);
    // Variables declared here persist until the enclosing {{end}}.
    this.pipeline('command', T.RightDelim);
    return { kind: 'action', pos: delimPos };
  }

  /** if / range / with: pipeline, list, optional else (or else if / else with), end. */
  private parseControl(context: string, delimPos: number): void {
    const mark = this.vars.length;
    try {
      this.pipeline(context, T.RightDelim);
      if (context === 'range') this.rangeDepth++;
      const { next } = this.itemList(context, delimPos);
      if (context === 'range') this.rangeDepth--;
      if (next.kind === 'else') {
        const p = this.peek();
        if ((context === 'if' && p.typ === T.If) || (context === 'with' && p.typ === T.With)) {
          // {{if a}}…{{else if b}}…{{end}} is {{if a}}…{{else}}{{if b}}…{{end}}{{end}}.
          this.next();
          this.parseControl(context, next.pos);
        } else {
          const r = this.itemList(context, delimPos);
          if (r.next.kind !== 'end') this.fail(r.next.pos, `expected end; found {{${r.next.kind}}}`);
        }
      }
    } finally {
      this.vars.length = mark;
    }
  }

  /** `{{block "name" pipeline}} … {{end}}`; the keyword is past. */
  private blockControl(delimPos: number): Node {
    const context = 'block clause';
    const name = this.nextNonSpace();
    this.templateName(name, context);
    this.pipeline(context, T.RightDelim);
    this.subTemplate(() => {
      const { nonEmpty, next } = this.itemList('block', delimPos);
      if (next.kind !== 'end') this.fail(next.pos, `unexpected {{${next.kind}}} in ${context}`);
      this.add(unquote(name.val), nonEmpty, delimPos);
    });
    return { kind: 'control', pos: delimPos };
  }

  /** `{{template "name"}}` or `{{template "name" pipeline}}`; the keyword is past. */
  private templateControl(delimPos: number): Node {
    const context = 'template clause';
    this.templateName(this.nextNonSpace(), context);
    const t = this.nextNonSpace();
    if (t.typ !== T.RightDelim) {
      this.backupAfter(t);
      this.pipeline(context, T.RightDelim);
    }
    return { kind: 'action', pos: delimPos };
  }

  private templateName(t: Token, context: string): void {
    if (t.typ !== T.String && t.typ !== T.RawString) this.unexpected(t, context);
    this.checkString(t);
  }

  private checkString(t: Token): void {
    if (t.typ === T.String && stringLiteralError(t.val)) this.fail(t.pos, `invalid syntax: bad escape in ${t.val}`);
  }

  /** declarations? command ('|' command)*, up to `end` (a right delimiter or paren). */
  private pipeline(context: string, end: T): void {
    let decls = 0;
    for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== T.Variable) break;
      const at = this.i;
      this.next();
      const n = this.peekNonSpace();
      if (n.typ === T.Assign || n.typ === T.Declare) {
        this.nextNonSpace();
        this.vars.push(v.val);
        decls++;
        break;
      }
      if (n.typ === T.Char && n.val === ',') {
        this.nextNonSpace();
        this.vars.push(v.val);
        decls++;
        if (context === 'range' && decls < 2) {
          const p = this.peekNonSpace().typ;
          if (p === T.Variable || p === T.RightDelim || p === T.RightParen) continue;
          this.fail(n.pos, 'range can only initialize variables');
        }
        this.fail(n.pos, `too many declarations in ${context}`);
      }
      // Not a declaration: the variable is the pipeline's first operand.
      this.i = at;
      break;
    }
    const cmds: Node[][] = [];
    for (;;) {
      const t = this.nextNonSpace();
      if (t.typ === end) {
        this.checkPipeline(cmds, context, t.pos);
        return;
      }
      if (!OPERAND_START.has(t.typ)) this.unexpected(t, context);
      this.backup();
      cmds.push(this.command());
    }
  }

  private checkPipeline(cmds: Node[][], context: string, endPos: number): void {
    if (cmds.length === 0) this.fail(endPos, `missing value for ${context}`);
    // Only the first command of a pipeline may start with a value that is not executable.
    cmds.slice(1).forEach((c, i) => {
      const k = c[0]!.kind;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
        this.fail(c[0]!.pos, `non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  /** operand (space operand)*, up to a pipe (consumed) or a right delimiter or paren (not). */
  private command(): Node[] {
    const args: Node[] = [];
    const start = this.peekNonSpace().pos;
    for (;;) {
      this.peekNonSpace();
      const op = this.operand();
      if (op) args.push(op);
      const t = this.next();
      if (t.typ === T.Space) continue;
      if (t.typ === T.RightDelim || t.typ === T.RightParen) this.backup();
      else if (t.typ !== T.Pipe) this.unexpected(t, 'operand');
      break;
    }
    if (args.length === 0) this.fail(start, 'empty command');
    return args;
  }

  /** term .Field* */
  private operand(): Node | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().typ !== T.Field) return node;
    const k = node.kind;
    if (k === 'bool' || k === 'string' || k === 'number' || k === 'nil' || k === 'dot') {
      this.fail(this.peek().pos, `unexpected . after term ${goQuote(node.text ?? '')}`);
    }
    while (this.peek().typ === T.Field) this.next();
    return { kind: k === 'field' || k === 'variable' ? k : 'chain', pos: node.pos };
  }

  private term(): Node | undefined {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case T.Identifier:
        if (!this.funcs.has(t.val)) this.fail(t.pos, `function ${goQuote(t.val)} not defined`);
        return { kind: 'identifier', pos: t.pos };
      case T.Dot:
        return { kind: 'dot', pos: t.pos, text: '.' };
      case T.Nil:
        return { kind: 'nil', pos: t.pos, text: 'nil' };
      case T.Variable:
        if (!this.vars.includes(t.val)) this.fail(t.pos, `undefined variable ${goQuote(t.val)}`);
        return { kind: 'variable', pos: t.pos };
      case T.Field:
        return { kind: 'field', pos: t.pos };
      case T.Bool:
        return { kind: 'bool', pos: t.pos, text: t.val };
      case T.CharConstant: {
        const err = charConstantError(t.val);
        if (err) this.fail(t.pos, err);
        return { kind: 'number', pos: t.pos, text: t.val };
      }
      case T.Complex:
        // fmt.Sscan decides; the lexer's shape (1+2i) is accepted.
        return { kind: 'number', pos: t.pos, text: t.val };
      case T.Number: {
        const err = numberError(t.val);
        if (err) this.fail(t.pos, err);
        return { kind: 'number', pos: t.pos, text: t.val };
      }
      case T.LeftParen:
        this.pipeline('parenthesized pipeline', T.RightParen);
        return { kind: 'pipe', pos: t.pos };
      case T.String:
      case T.RawString:
        this.checkString(t);
        return { kind: 'string', pos: t.pos, text: t.val };
      default:
        this.backupAfter(t);
        return undefined;
    }
  }
}

/** Go's item String(): `<keyword>`, EOF, or the quoted text (cut at 10 characters). */
function describeToken(t: Token): string {
  if (t.typ === T.EOF) return 'EOF';
  if (t.typ > T.Keyword) return `<${t.val}>`;
  if ([...t.val].length > 10) return `${goQuote([...t.val].slice(0, 10).join(''))}...`;
  return goQuote(t.val);
}

/** The value of a (valid) string or raw string literal, for template names. */
function unquote(lit: string): string {
  if (lit.startsWith('`')) return lit.slice(1, -1).replace(/\r/g, '');
  // An escape Go would refuse was reported by the lexer; the name only tells definitions apart.
  return unquoteGoString(lit) ?? lit.slice(1, -1);
}

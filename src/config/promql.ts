/**
 * @module config/promql
 * PromQL checking with Prometheus' own Lezer grammar (`@prometheus-io/lezer-promql`, the
 * parser behind the Prometheus UI editor), and mapping an offset inside an expression back to a
 * `line:col` inside the YAML file the expression came from, so an error points at the very
 * character an editor should jump to, even in quoted or block scalars.
 *
 * Lezer recovers from errors and marks them with error nodes; the first one is reported. The
 * grammar alone accepts much that Prometheus rejects (`rate(x)`, `sum(x)[5m]`, `1 > 2`), so an
 * expression that parses is then type-checked as Prometheus' parser does (promql-types.ts):
 * `findPromqlError` answers the first problem of either kind, from one parse. Unknown metric
 * names are fine: that is not the author's mistake to fix before promtool sees the rule.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { isScalar, type LineCounter, type Scalar } from 'yaml';
import { findPromqlFeatureError, type PromqlFeatureFlag } from './promql-features.js';
import { findPromqlLiteralError } from './promql-literals.js';
import type { ValueType } from './promql-functions.js';
import { findPromqlTypeError, promqlTreeType, type PromqlResultRule } from './promql-types.js';

export type { PromqlResultRule } from './promql-types.js';

export interface PromqlSyntaxError {
  /** 0-based offset inside the expression. */
  offset: number;
  message: string;
}

export interface PromqlCheckOptions {
  /**
   * Prometheus `--enable-feature` flags the rules will run under; default none, as a stock
   * Prometheus (and `promtool check rules`) parses.
   */
  features?: ReadonlySet<PromqlFeatureFlag>;
  /** What the expression must evaluate to where it is used (an alert, a range query); default: anything. */
  result?: PromqlResultRule;
}

/**
 * First syntax error in `expr`, else its first literal Prometheus refuses (a number where a
 * duration goes, `offset 5`; a bad string escape, `"\\d"`: promql-literals.ts), else its first use of experimental PromQL that Prometheus refuses
 * without a feature flag (promql-features.ts), else its first type error (what Prometheus' parser
 * rejects after its grammar accepted it, worded as promtool words it), else, with `opts.result`,
 * an overall type the place it is used cannot take; or undefined when Prometheus accepts it.
 */
export function findPromqlError(source: string, opts: PromqlCheckOptions = {}): PromqlSyntaxError | undefined {
  if (source.trim() === '') return { offset: 0, message: 'PromQL expression is empty' };
  const expr = withLezerNumbers(source);
  const tree = parser.parse(expr);
  const syntax = syntaxError(expr, tree);
  if (syntax) return syntax;
  const literal = findPromqlLiteralError(tree, expr);
  if (literal) return literal;
  const feature = findPromqlFeatureError(tree, expr, opts.features);
  return feature ? { offset: feature.offset, message: feature.message } : findPromqlTypeError(tree, expr, opts.result);
}

/** What `source` evaluates to (`instant vector`, `scalar`, …), or undefined when Prometheus would refuse it or this checker cannot tell. */
export function promqlType(source: string): ValueType | undefined {
  const expr = withLezerNumbers(source);
  const tree = parser.parse(expr);
  return syntaxError(expr, tree) ? undefined : promqlTreeType(tree, expr);
}

/** First syntax error in `expr`, or undefined when it parses (it may still be ill-typed: see findPromqlError). */
export function findPromqlSyntaxError(source: string): PromqlSyntaxError | undefined {
  if (source.trim() === '') return { offset: 0, message: 'PromQL expression is empty' };
  const expr = withLezerNumbers(source);
  return syntaxError(expr, parser.parse(expr));
}

/** A number as Prometheus' lexer reads it (scanNumber) where the Lezer grammar does not: `5.`, `5.e3`, `0X1F`. */
const TRAILING_DOT = /^[0-9]+\.(?:[eE][+-]?[0-9]+)?(?![A-Za-z0-9_.])/y;
const UPPER_HEX = /^0X[0-9a-fA-F]+(?![A-Za-z0-9_.])/y;

/**
 * `expr` with the numbers Prometheus reads but the Lezer grammar does not spelled as the grammar
 * reads them, character for character so every offset stays valid: a trailing dot (`5.` → `5 `,
 * `5.e3` → `5e3 `; Go's ParseFloat takes both) and an upper-case hex prefix (`0X1F` → `0x1F`).
 * Strings, comments and names are left alone; anything else about a number is the grammar's to judge.
 */
export function withLezerNumbers(expr: string): string {
  if (!/[0-9][.X]/.test(expr)) return expr; // the common case, without scanning
  let out = '';
  let i = 0;
  while (i < expr.length) {
    const start = i;
    const c = expr[i]!;
    if (c === '"' || c === "'") {
      for (i++; i < expr.length && expr[i] !== c && expr[i] !== '\n'; i++) if (expr[i] === '\\') i++;
      i++;
    } else if (c === '`') {
      i = expr.indexOf('`', i + 1);
      i = i === -1 ? expr.length : i + 1;
    } else if (c === '#') {
      i = expr.indexOf('\n', i);
      if (i === -1) i = expr.length;
    } else if (/[A-Za-z_:]/.test(c)) {
      for (i++; i < expr.length && /[A-Za-z0-9_:]/.test(expr[i]!); i++);
    } else if (/[0-9]/.test(c)) {
      TRAILING_DOT.lastIndex = 0;
      UPPER_HEX.lastIndex = 0;
      const rest = expr.slice(i);
      const dot = TRAILING_DOT.exec(rest);
      const hex = dot ? null : UPPER_HEX.exec(rest);
      if (dot) {
        out += `${dot[0].replace('.', '')} `;
        i += dot[0].length;
        continue;
      }
      if (hex) {
        out += `0x${hex[0].slice(2)}`;
        i += hex[0].length;
        continue;
      }
      for (i++; i < expr.length && /[A-Za-z0-9_.]/.test(expr[i]!); i++);
    } else i++;
    out += expr.slice(start, Math.min(i, expr.length));
  }
  return out;
}

function syntaxError(expr: string, tree: ReturnType<typeof parser.parse>): PromqlSyntaxError | undefined {
  let first: { from: number; to: number } | undefined;
  tree.iterate({
    enter(node) {
      if (first) return false;
      if (node.type.isError) {
        first = { from: node.from, to: node.to };
        return false;
      }
      return undefined;
    },
  });
  if (!first) return undefined;
  const { from, to } = first;
  if (from >= expr.trimEnd().length) return unclosedAt(expr) ?? { offset: from, message: 'PromQL syntax error: unexpected end of expression' };
  const fn = unknownFunctionAt(expr, tree, from);
  if (fn) return fn;
  // An empty error node means "the token starting here does not fit"; show that token.
  const token = from < to ? expr.slice(from, to) : tokenAt(expr, from);
  return { offset: from, message: `PromQL syntax error: unexpected ${JSON.stringify(clip(token))}` };
}

const CLOSERS: Readonly<Record<string, { close: string; name: string }>> = {
  '(': { close: ')', name: 'parenthesis' },
  '{': { close: '}', name: 'brace' },
  '[': { close: ']', name: 'bracket' },
};

/**
 * An expression that ends early because a quote or bracket is never closed: the opening
 * character, in Prometheus' words ("unclosed left parenthesis", "unterminated quoted string"),
 * so the author is sent to the `(` that lacks its `)`, not to the end of the expression.
 */
function unclosedAt(expr: string): PromqlSyntaxError | undefined {
  const open: number[] = [];
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const start = i;
      for (i++; i < expr.length && expr[i] !== c && (c === '`' || expr[i] !== '\n'); i++) if (c !== '`' && expr[i] === '\\') i++;
      if (i >= expr.length || expr[i] !== c) return { offset: start, message: `PromQL syntax error: unterminated quoted string (this ${c} is never closed)` };
    } else if (c === '#') {
      const eol = expr.indexOf('\n', i);
      i = eol === -1 ? expr.length : eol;
    } else if (CLOSERS[c]) open.push(i);
    else if (open.length > 0 && c === CLOSERS[expr[open[open.length - 1]!]!]!.close) open.pop();
  }
  const at = open.pop();
  if (at === undefined) return undefined;
  const { close, name } = CLOSERS[expr[at]!]!;
  return { offset: at, message: `PromQL syntax error: unclosed left ${name} (this "${expr[at]}" has no matching "${close}")` };
}

/** Functions Prometheus 3 no longer knows by their Prometheus 2 name. */
const RENAMED_FUNCTIONS: Readonly<Record<string, string>> = {
  holt_winters: 'Prometheus 3 renamed it double_exponential_smoothing, an experimental function',
};

/**
 * `foo_bar(x)`, `histogram_quantil(…)`: the grammar takes the name for a metric and stops at the
 * `(`; Prometheus reads any name before `(` as a function call and names the function it does
 * not know, which is the message an author can act on.
 */
function unknownFunctionAt(expr: string, tree: ReturnType<typeof parser.parse>, errorAt: number): PromqlSyntaxError | undefined {
  if (expr[errorAt] !== '(') return undefined;
  const name = /([A-Za-z_:][A-Za-z0-9_:]*)\s*$/.exec(expr.slice(0, errorAt));
  if (!name) return undefined;
  const start = errorAt - name[0].length;
  const id = tree.resolveInner(start, 1);
  // The grammar hangs the argument's matchers (`rates(x{job="a"}[5m])`) on the name's selector
  // too, after the `(`; only matchers before it (`x{a="b"}(`) make the name a selector of its own.
  const matchers = id.parent?.getChild('LabelMatchers');
  if (id.name !== 'Identifier' || id.parent?.name !== 'VectorSelector' || (matchers && matchers.from < errorAt)) return undefined;
  const renamed = RENAMED_FUNCTIONS[name[1]!];
  return { offset: start, message: `PromQL: unknown function with name "${name[1]}"${renamed ? ` (${renamed})` : ''}` };
}

function tokenAt(expr: string, offset: number): string {
  const rest = expr.slice(offset);
  const word = /^[A-Za-z_:][A-Za-z0-9_:]*|^[0-9.]+[a-z]*|^"(?:[^"\\]|\\.)*"?|^\S/.exec(rest);
  return word ? word[0] : rest.slice(0, 1);
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Placeholders SLO expressions use for the rate window; spaces inside the braces are tolerated. */
export const WINDOW_PLACEHOLDER = /\{\{\s*window\s*\}\}/g;

export function hasWindowPlaceholder(expr: string): boolean {
  return new RegExp(WINDOW_PLACEHOLDER.source).test(expr);
}

export interface Substituted {
  text: string;
  /** Offset in `text` → offset in the original expression (inside a replacement: the placeholder start). */
  toOriginal(offset: number): number;
}

/** Replace every `{{window}}` with `window`, remembering where each replaced span came from. */
export function substituteWindow(expr: string, window: string): Substituted {
  return substitute(expr, WINDOW_PLACEHOLDER, () => window);
}

/**
 * Replace each match of `pattern` with what `replacement` gives (undefined: keep the match),
 * remembering where each replaced span came from, so an error found in the result points back
 * into `expr`.
 */
export function substitute(expr: string, pattern: RegExp, replacement: (match: RegExpMatchArray) => string | undefined): Substituted {
  const spans: Array<{ outStart: number; outEnd: number; inStart: number; inEnd: number }> = [];
  let text = '';
  let last = 0;
  for (const m of expr.matchAll(new RegExp(pattern.source, 'g'))) {
    const by = replacement(m);
    if (by === undefined) continue;
    text += expr.slice(last, m.index);
    spans.push({ outStart: text.length, outEnd: text.length + by.length, inStart: m.index, inEnd: m.index + m[0].length });
    text += by;
    last = m.index + m[0].length;
  }
  text += expr.slice(last);
  return {
    text,
    toOriginal(offset) {
      let shift = 0;
      for (const s of spans) {
        if (offset < s.outStart) break;
        if (offset < s.outEnd) return s.inStart;
        shift = s.inEnd - s.outEnd;
      }
      return offset + shift;
    },
  };
}

/**
 * Source offset (into the file text) of character `valueOffset` of a scalar's string value.
 * Walks the raw scalar text alongside its value, skipping what YAML folds away (indentation,
 * line breaks, quote doubling, escapes). When the walk cannot align (should not happen for
 * well-formed YAML) it answers the start of the value, which is still the right line.
 */
export function scalarSourceOffset(text: string, node: Scalar, valueOffset: number): number {
  const range = node.range;
  if (!range) return 0;
  const [start, end] = range;
  const value = typeof node.value === 'string' ? node.value : String(node.value);
  let j = start;
  const style = node.type ?? 'PLAIN';
  if (style === 'QUOTE_DOUBLE' || style === 'QUOTE_SINGLE') j = start + 1;
  if (style === 'BLOCK_LITERAL' || style === 'BLOCK_FOLDED') {
    const nl = text.indexOf('\n', start);
    j = nl === -1 ? end : nl + 1;
  }
  const contentStart = j;
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  for (let i = 0; i <= Math.min(valueOffset, value.length); i++) {
    const c = value[i];
    // Skip what produces no value character: indentation, trailing spaces, escaped line breaks.
    for (;;) {
      if (j >= end) return i === value.length ? end : fallback();
      const s = text[j]!;
      if (style === 'QUOTE_DOUBLE' && s === '\\' && (text[j + 1] === '\n' || text[j + 1] === '\r')) {
        j += 2;
        continue;
      }
      if (s === c) break;
      if (style === 'QUOTE_DOUBLE' && s === '\\') break;
      if (style === 'QUOTE_SINGLE' && s === "'" && text[j + 1] === "'" && c === "'") break;
      if ((c === ' ' || c === '\n') && (s === '\n' || s === '\r')) break; // a folded line break
      if (isSpace(s)) {
        j++;
        continue;
      }
      if (i === value.length) return j; // end of value reached; j is where the scalar text stops
      return fallback();
    }
    if (i === valueOffset) return j;
    const s = text[j]!;
    if (style === 'QUOTE_DOUBLE' && s === '\\') j += escapeLength(text[j + 1]);
    else if (style === 'QUOTE_SINGLE' && s === "'") j += 2;
    else if (s === '\r' && text[j + 1] === '\n') j += 2;
    else j++;
  }
  return j;

  function fallback(): number {
    return contentStart;
  }
}

function escapeLength(next: string | undefined): number {
  if (next === 'x') return 4;
  if (next === 'u') return 6;
  if (next === 'U') return 10;
  return 2;
}

/** `line:col` (1-based) of character `valueOffset` of the scalar `node`, or undefined when `node` is not a scalar. */
export function scalarPosition(
  text: string,
  lineCounter: LineCounter,
  node: unknown,
  valueOffset: number,
): { line: number; col: number } | undefined {
  if (!isScalar(node)) return undefined;
  return lineCounter.linePos(scalarSourceOffset(text, node, valueOffset));
}

/** True when `expr` is a bare instant vector selector such as `probe_success{job="blackbox"}`. */
export function isVectorSelector(expr: string): boolean {
  const top = parser.parse(expr.trim()).topNode.firstChild;
  return top !== null && top.name === 'VectorSelector' && top.nextSibling === null && findPromqlSyntaxError(expr) === undefined;
}

/**
 * `expr` ready to have generated text put after it, as in `(${expr})` or `(${expr})[1h:1m]`:
 * when its last line ends in a `# comment`, a line break is added, or the comment would swallow
 * the `)` or `[…]` that follows. Expressions without such a comment come back unchanged, so
 * their generated text (and `generate --check`) stays as it was.
 */
export function closeTrailingComment(expr: string): string {
  if (!expr.includes('#')) return expr; // the common case, without parsing
  let trailing = false;
  parser.parse(expr).iterate({
    enter(node) {
      // A comment runs to the end of its line: it is on the last line when no line break follows.
      if (node.name === 'LineComment' && !expr.includes('\n', node.to)) trailing = true;
    },
  });
  return trailing ? `${expr}\n` : expr;
}

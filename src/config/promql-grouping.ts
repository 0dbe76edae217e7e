/**
 * @module config/promql-grouping
 * The labels of an expression's result where they can be read by a scan rather than a parse
 * (about 50 µs a parse; the generate benchmark has 10,000 alerts and two expressions for each
 * of its 1,500 SLOs). Each reader is one forward pass without backtracking regexps, so its cost
 * stays linear in the expression however it is written. Parentheses inside strings and comments
 * do not count.
 *
 * - aggregationGrouping: one aggregation (`sum by (route) (…)`, `sum(…) by (route)`, `sum(…)`).
 *   Used to pick the 0 an absent SLO errors series is filled with (generate/slo-error-ratio.ts)
 *   and to refuse SLOs whose errors and total are grouped apart (check-slo-grouping.ts).
 * - The readers it is made of (an aggregation, a label list, a number, brackets), shared with
 *   promql-result-labels.ts, which reads the labels of whole expressions (operators, matching).
 *
 * aggregationGrouping does not read `without (…)`: the result keeps whichever labels the series
 * have, which only the series can tell.
 */

/** Aggregations whose result has exactly the `by` labels (none without `by`): not topk, count_values…. */
export const AGGREGATIONS = new Set(['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'quantile']);
/** A number literal at the sticky position (its end is checked apart: no lookahead to backtrack into). */
const NUMBER = /0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?/y;
const IDENTIFIER = /[A-Za-z_:][A-Za-z0-9_:]*/y;

/** An aggregation read at some offset: its `by` labels, sorted, and where it ends. */
export interface Aggregation {
  labels: string[];
  end: number;
}

/**
 * For a validated expression that is one such aggregation with nothing around it but spaces and
 * comments: the `by` labels, sorted ([] without grouping). Undefined when the expression is
 * anything else (`sum(a) - sum(b)`, a selector, `topk`), groups `without` (the result's labels
 * depend on the series), or quotes a label name: the caller cannot tell.
 */
export function aggregationGrouping(expr: string): string[] | undefined {
  const aggregation = readAggregation(expr, 0);
  return aggregation && skipSpaceAndComments(expr, aggregation.end) === expr.length ? aggregation.labels : undefined;
}

/** The aggregation starting at `from` (its name), or undefined when there is none there or it groups `without` or by a quoted name. */
export function readAggregation(expr: string, from: number): Aggregation | undefined {
  const name = identifierAt(expr, from);
  if (name === undefined || !AGGREGATIONS.has(name.toLowerCase())) return undefined;
  let i = skipSpaceAndComments(expr, from + name.length);
  let labels: string[] | undefined;
  const before = readGrouping(expr, i);
  if (before === null) return undefined;
  if (before) ({ labels, end: i } = before);
  if (expr[i] !== '(') return undefined;
  const close = closingParen(expr, i);
  if (close === undefined) return undefined;
  if (!before) {
    const after = readGrouping(expr, skipSpaceAndComments(expr, close + 1));
    if (after === null) return undefined;
    if (after) return after;
  }
  return { labels: labels ?? [], end: close + 1 };
}

/**
 * The `by (…)` clause at `from` and where the space after it ends; undefined when there is no
 * clause there, null when there is one this cannot read (`without`, a quoted label name).
 */
export function readGrouping(expr: string, from: number): Aggregation | undefined | null {
  const word = identifierAt(expr, from)?.toLowerCase();
  if (word === 'without') return null;
  if (word !== 'by') return undefined;
  return readLabelList(expr, skipSpaceAndComments(expr, from + 2));
}

/** The label list `(a, b)` at `from`, sorted, and where the space after it ends; null when there is none there or it quotes a name. */
export function readLabelList(expr: string, from: number): Aggregation | null {
  let i = from;
  if (expr[i] !== '(') return null;
  const names = new Set<string>();
  for (i = skipSpaceAndComments(expr, i + 1); expr[i] !== ')'; ) {
    const name = identifierAt(expr, i);
    if (name === undefined) return null;
    names.add(name);
    i = skipSpaceAndComments(expr, i + name.length);
    if (expr[i] === ',') i = skipSpaceAndComments(expr, i + 1);
    else if (expr[i] !== ')') return null;
  }
  return { labels: [...names].sort(), end: skipSpaceAndComments(expr, i + 1) };
}

/** End of the number literal at `from` (`0.05`, `1e3`, `0x1F`, `Inf`, `NaN`), or undefined when there is none. */
export function numberEnd(expr: string, from: number): number | undefined {
  const word = identifierAt(expr, from)?.toLowerCase();
  if (word === 'inf' || word === 'nan') return from + 3;
  NUMBER.lastIndex = from;
  const match = NUMBER.exec(expr);
  if (!match || match[0] === '.') return undefined;
  const end = from + match[0].length;
  // `5m` (a duration) or `1.2.3` is not a number this reads.
  return end < expr.length && /[A-Za-z0-9_:.]/.test(expr[end]!) ? undefined : end;
}

export function identifierAt(expr: string, from: number): string | undefined {
  IDENTIFIER.lastIndex = from;
  return IDENTIFIER.exec(expr)?.[0];
}

/** Index of the `)`, `}` or `]` closing the bracket at `open`, or undefined when the text ends first. */
export function closingParen(expr: string, open: number): number | undefined {
  const opening = expr[open]!;
  const closing = opening === '(' ? ')' : opening === '{' ? '}' : ']';
  let depth = 0;
  for (let i = open; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') i = endOfString(expr, i);
    else if (c === '#') i = endOfLine(expr, i);
    else if (c === opening) depth++;
    else if (c === closing && --depth === 0) return i;
  }
  return undefined;
}

export function skipSpaceAndComments(expr: string, from: number): number {
  let i = from;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '#') i = endOfLine(expr, i);
    else if (c === ' ' || c === '\n' || c === '\t' || c === '\r') i++; // Prometheus' lexer's spaces (isSpace)
    else break;
  }
  return i;
}

/** Index of the quote closing the string opened at `start` (backquoted strings have no escapes). */
export function endOfString(expr: string, start: number): number {
  const quote = expr[start]!;
  for (let i = start + 1; i < expr.length; i++) {
    if (expr[i] === '\\' && quote !== '`') i++;
    else if (expr[i] === quote) return i;
  }
  return expr.length;
}

function endOfLine(expr: string, start: number): number {
  const eol = expr.indexOf('\n', start);
  return eol === -1 ? expr.length : eol;
}

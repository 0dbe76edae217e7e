/**
 * @module config/promql-grouping
 * The labels of an expression's result when it is one aggregation (`sum by (route) (…)`,
 * `sum(…) by (route)`, `sum(…)`), read by a scan rather than a parse: about 50 µs a parse, for
 * two expressions of each of the generate benchmark's 1,500 SLOs. Parentheses inside strings and
 * comments do not count. Used to pick the 0 an absent SLO errors series is filled with
 * (generate/slo-error-ratio.ts) and to refuse SLOs whose errors and total are grouped apart
 * (check-slo-grouping.ts).
 */

/** Aggregations whose result has exactly the `by` labels (none without `by`): not topk, count_values…. */
const AGGREGATION = /^(?:sum|avg|count|min|max|group|stddev|stdvar|quantile)\s*/i;
const MODIFIER = /^(by|without)\s*\(([^()#"'`]*)\)\s*/i;

/**
 * For a validated expression that is one such aggregation with nothing around it but spaces and
 * comments: the `by` labels, sorted ([] without grouping). Undefined when the expression is
 * anything else (`sum(a) - sum(b)`, a selector, `topk`), groups `without` (the result's labels
 * depend on the series), or quotes a label name: the caller cannot tell.
 */
export function aggregationGrouping(expr: string): string[] | undefined {
  const head = AGGREGATION.exec(expr);
  if (!head) return undefined;
  let i = head[0].length;
  let labels: string[] | undefined;
  const before = MODIFIER.exec(expr.slice(i));
  if (before) {
    labels = byLabels(before);
    if (!labels) return undefined;
    i += before[0].length;
  }
  if (expr[i] !== '(') return undefined;
  const close = closingParen(expr, i);
  if (close === undefined) return undefined;
  i = skipSpaceAndComments(expr, close + 1);
  if (!before) {
    const after = MODIFIER.exec(expr.slice(i));
    if (after) {
      labels = byLabels(after);
      if (!labels) return undefined;
      i = skipSpaceAndComments(expr, i + after[0].length);
    }
  }
  return i === expr.length ? (labels ?? []) : undefined;
}

function byLabels(modifier: RegExpExecArray): string[] | undefined {
  if (modifier[1]!.toLowerCase() !== 'by') return undefined;
  const names = modifier[2]!.split(',').map((l) => l.trim()).filter((l) => l !== '');
  return [...new Set(names)].sort();
}

/** Index of the `)` closing the `(` at `open`, or undefined when the text ends first. */
function closingParen(expr: string, open: number): number | undefined {
  let depth = 0;
  for (let i = open; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') i = endOfString(expr, i);
    else if (c === '#') i = endOfLine(expr, i);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return undefined;
}

function skipSpaceAndComments(expr: string, from: number): number {
  let i = from;
  while (i < expr.length) {
    if (expr[i] === '#') i = endOfLine(expr, i);
    else if (/\s/.test(expr[i]!)) i++;
    else break;
  }
  return i;
}

/** Index of the quote closing the string opened at `start` (backquoted strings have no escapes). */
function endOfString(expr: string, start: number): number {
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

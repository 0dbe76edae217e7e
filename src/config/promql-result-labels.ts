/**
 * @module config/promql-result-labels
 * The labels an expression's result can have, read by a scan rather than a parse (about 50 µs a
 * parse; the generate benchmark checks 10,000 alerts): used by check-rule-label-grouping.ts.
 * What is read is an upper bound: every series of the result has no label outside the list.
 *
 * Operands are numbers, aggregations, `vector(…)`, and selectors or function calls (whose labels
 * are the series', so unknown); they are joined by binary operators with their modifiers, in any
 * parentheses. Operator precedence is kept with two stacks (shunting-yard: one forward pass, no
 * recursion, no backtracking regexps), so the cost stays linear however the text nests.
 *
 * What each operator gives, as Prometheus evaluates it (each checked with promtool, see
 * promql-result-labels.test.ts and test/generate-grouping-rule-labels.test.ts):
 * - `sum by (l) (…)`: l; `sum(…)`: none; `sum without (l) (…)`: its argument's labels but l (its
 *   argument is read on, and l applied at its `)`: still one pass); other aggregations
 *   (`topk`, `quantile without`…) and functions: the series' labels, unknown (`vector(…)`: none).
 *   `offset` and `@` move samples in time, not their labels.
 * - a number with a vector: the vector's labels.
 * - `a and b`, `a unless b` (with or without `on`/`ignoring`): a's labels, whatever b's.
 * - `a or b`: a's and b's together (unknown when either is).
 * - one-to-one arithmetic or comparison: with `on (l)` only the labels l (Prometheus keeps only
 *   the matching labels, even for a filtering comparison); with `ignoring (l)` the left side's
 *   labels but l; with neither, the labels both sides share, read only when they are grouped
 *   alike (grouped apart they match no series, or only those without the extra label: a
 *   refusal for the replaced label would not be the rule's real fault).
 * - `group_left (e)`: the left (many) side's labels and e; `group_right (e)`: the right side's and e.
 * Anything else (a range outside a call, a quoted label name, unbalanced text) is not read: a
 * guess could refuse a rule that works.
 */
import {
  AGGREGATIONS,
  closingParen,
  identifierAt,
  numberEnd,
  readAggregation,
  readLabelList,
  skipSpaceAndComments,
  type Aggregation,
} from './promql-grouping.js';

/** The labels a result can have and, when an operator rather than a grouping decided them, why. */
export interface ResultLabels {
  labels: string[];
  /** Undefined when they are those of `by (…)` groupings (`sum by (team) (…) / sum by (team) (…)`). */
  reason?: string;
  /**
   * Labels only a `group_left (e)`/`group_right (e)` brought in, each series' from the one series
   * it matched: series that differ only in them cannot be, as the join gives one series per series
   * of its many side, which differ in the labels they had before it. With the join's side, so a
   * message names the list the label is in, not the outermost operator's (`reason`).
   */
  joined?: JoinedLabel[];
}

/** A label a join brought in, and whose list it is in: `group_left (team)` is `{ team, left }`. */
export interface JoinedLabel {
  label: string;
  side: 'left' | 'right';
}

type Value = 'scalar' | 'unknown' | ResultLabels;

/** An open parenthesis on the operator stack: plain, or the argument of `sum without (…) (`. */
type Open = { without?: WithoutClause };
interface WithoutClause {
  aggregation: string;
  labels: string[];
}
/** Where the argument of `sum without (l) (` starts. */
type ArgumentStart = { without: WithoutClause; end: number };

interface Operator {
  name: string;
  precedence: number;
  matching?: { on: boolean; labels: string[] };
  group?: { side: 'left' | 'right'; include: string[] };
}

const PRECEDENCE = new Map(Object.entries({ or: 1, and: 2, unless: 2, '==': 3, '!=': 3, '>=': 3, '<=': 3, '>': 3, '<': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, atan2: 5, '^': 6 }));
/** Aggregations whose labels the series decide (and `by`/`without` ones this does not read). */
const OTHER_AGGREGATIONS = new Set(['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'quantile', 'topk', 'bottomk', 'count_values', 'limitk', 'limit_ratio']);
/** A duration (`5m`, `1h30m`, `1.5`) at the sticky position. */
const DURATION = /[0-9][0-9A-Za-z.]*/y;
const SYMBOLS = '=!<>+-*/%^';
const SCALAR_FUNCTIONS = new Set(['scalar', 'time', 'pi']);
/** Words that are no selector: an expression using them where an operand stands is not read. */
const KEYWORDS = new Set(['bool', 'on', 'ignoring', 'group_left', 'group_right', 'by', 'without', 'offset', 'and', 'or', 'unless', 'atan2']);

/**
 * For a validated expression: the labels its result can have (sorted), or undefined when they
 * depend on the series, cannot be read here, or the result is a number.
 */
export function resultLabels(expr: string): ResultLabels | undefined {
  const values: Value[] = [];
  const operators: (Operator | Open)[] = [];
  let i = skipSpaceAndComments(expr, 0);
  for (;;) {
    // An operand: opening parentheses and signs, then a number, an aggregation, a call or a selector.
    for (;;) {
      const c = expr[i];
      if (c === '(') operators.push({});
      else if (c !== '+' && c !== '-') break;
      i = skipSpaceAndComments(expr, i + 1);
    }
    const operand = readOperand(expr, i);
    if (!operand) return undefined;
    if ('without' in operand) {
      // `sum without (l) (`: its argument is read on, and l taken from its labels at its `)`.
      operators.push({ without: operand.without });
      i = operand.end;
      continue;
    }
    values.push(operand.value);
    // Closing parentheses, then an operator or the end.
    for (i = operand.end; expr[i] === ')'; i = skipSpaceAndComments(expr, i + 1)) {
      while (isOperator(operators[operators.length - 1])) reduce(values, operators);
      const open = operators.pop() as Open | undefined;
      if (!open) return undefined;
      if (open.without) values.push(without(open.without, values.pop()!));
    }
    if (i === expr.length) break;
    const operator = readOperator(expr, i);
    if (!operator) return undefined;
    // Left-associative but `^`: reduce what binds as tight or tighter first.
    for (let top = operators[operators.length - 1]; isOperator(top) && (top.precedence > operator.op.precedence || (top.precedence === operator.op.precedence && top.name !== '^')); top = operators[operators.length - 1]) reduce(values, operators);
    operators.push(operator.op);
    i = operator.end;
  }
  while (isOperator(operators[operators.length - 1])) reduce(values, operators);
  const result = values.pop();
  return operators.length === 0 && typeof result === 'object' ? result : undefined;
}

/** Applies the operator on top of the stack to the two values on top of theirs. */
function isOperator(entry: Operator | Open | undefined): entry is Operator {
  return entry !== undefined && 'precedence' in entry;
}

/**
 * `sum without (l) (` at `from`, the aggregation `name` (one without parameters): its clause and
 * where its argument starts; undefined when there is none there, null when its list cannot be read.
 */
function withoutAt(expr: string, from: number, name: string): ArgumentStart | undefined | null {
  const at = skipSpaceAndComments(expr, from + name.length);
  const c = expr[at];
  if ((c !== 'w' && c !== 'W') || identifierAt(expr, at)!.toLowerCase() !== 'without') return undefined;
  const list = readLabelList(expr, skipSpaceAndComments(expr, at + 7));
  if (!list) return null;
  if (expr[list.end] !== '(') return undefined;
  return { without: { aggregation: name, labels: list.labels }, end: skipSpaceAndComments(expr, list.end + 1) };
}

/** What `aggregation without (labels) (argument)` keeps: the argument's labels but those. */
function without(clause: WithoutClause, argument: Value): Value {
  if (argument === 'scalar' || argument === 'unknown') return 'unknown';
  const labels = argument.labels.filter((l) => !clause.labels.includes(l));
  return { labels, reason: `\`${clause.aggregation} without (${clause.labels.join(', ')})\` keeps the labels of its argument, (${argument.labels.join(', ')}), but those` };
}

function reduce(values: Value[], operators: (Operator | Open)[]): void {
  const op = operators.pop() as Operator;
  const right = values.pop()!;
  values.push(combine(op, values.pop()!, right));
}

/**
 * The operand at `from` and where the space after it ends; for `sum without (l) (`, the clause
 * and where its argument starts. Undefined when it cannot be read.
 */
function readOperand(expr: string, from: number): { value: Value; end: number } | ArgumentStart | undefined {
  const first = expr.charCodeAt(from);
  // Digits and `.` start a number; so do the words Inf and NaN, read after.
  if ((first >= 48 && first <= 57) || first === 46) {
    const number = numberEnd(expr, from);
    return number === undefined ? undefined : { value: 'scalar', end: skipSpaceAndComments(expr, number) };
  }
  let value: Value = 'unknown';
  let end: number;
  const name = identifierAt(expr, from);
  const lower = name?.toLowerCase();
  if (lower === 'inf' || lower === 'nan') return { value: 'scalar', end: skipSpaceAndComments(expr, from + 3) };
  if (expr[from] === '{') {
    const close = closingParen(expr, from);
    if (close === undefined) return undefined;
    end = close + 1;
  } else if (name === undefined || KEYWORDS.has(lower!)) return undefined;
  else {
    if (AGGREGATIONS.has(lower!) && lower !== 'quantile') {
      const without = withoutAt(expr, from, name);
      if (without === null) return undefined;
      if (without) return without;
    }
    const aggregation = readAggregation(expr, from);
    if (aggregation) return { value: { labels: aggregation.labels }, end: skipSpaceAndComments(expr, aggregation.end) };
    let i = skipSpaceAndComments(expr, from + name.length);
    if (OTHER_AGGREGATIONS.has(lower!)) {
      // `topk by (…) (…)`, `sum without (…) (…)`, `sum(…) without (…)`: the series decide.
      const before = groupingClause(expr, i);
      if (before === null) return undefined;
      if (before) i = before.end;
      if (expr[i] !== '(') return undefined;
      const close = closingParen(expr, i);
      if (close === undefined) return undefined;
      end = close + 1;
      const after = before ? undefined : groupingClause(expr, skipSpaceAndComments(expr, end));
      if (after === null) return undefined;
      if (after) end = after.end;
    } else if (expr[i] === '(') {
      const close = closingParen(expr, i);
      if (close === undefined) return undefined;
      end = close + 1;
      if (lower === 'vector') value = { labels: [] };
      else if (SCALAR_FUNCTIONS.has(lower!)) value = 'scalar';
    } else if (expr[i] === '{') {
      const close = closingParen(expr, i);
      if (close === undefined) return undefined;
      end = close + 1;
    } else end = from + name.length;
  }
  end = skipSpaceAndComments(expr, end);
  if (expr[end] === '[') {
    // A range or subquery: only a function takes it, so as an operand it is not valid anyway.
    return undefined;
  }
  // `offset 5m` and `@ 1700000000` / `@ end()` move the samples in time, not their labels.
  for (let modifiers = 0; modifiers < 2; modifiers++) {
    const next = expr[end];
    if (next === '@') {
      const at = skipSpaceAndComments(expr, end + 1);
      const word = identifierAt(expr, at)?.toLowerCase();
      const after = word === 'start' || word === 'end' ? skipSpaceAndComments(expr, at + word.length) : at;
      if (after !== at) {
        if (expr[after] !== '(' || expr[skipSpaceAndComments(expr, after + 1)] !== ')') return undefined;
        end = skipSpaceAndComments(expr, skipSpaceAndComments(expr, after + 1) + 1);
      } else {
        const number = numberEnd(expr, expr[at] === '-' || expr[at] === '+' ? at + 1 : at);
        if (number === undefined) return undefined;
        end = skipSpaceAndComments(expr, number);
      }
    } else if ((next === 'o' || next === 'O') && identifierAt(expr, end)!.toLowerCase() === 'offset') {
      let at = skipSpaceAndComments(expr, end + 6);
      if (expr[at] === '-') at = skipSpaceAndComments(expr, at + 1);
      DURATION.lastIndex = at;
      if (!DURATION.test(expr)) return undefined;
      end = skipSpaceAndComments(expr, DURATION.lastIndex);
    } else break;
  }
  return { value, end };
}

/** `by (…)` or `without (…)` at `from`: undefined when there is none, null when its list cannot be read. */
function groupingClause(expr: string, from: number): Aggregation | undefined | null {
  const word = identifierAt(expr, from)?.toLowerCase();
  if (word !== 'by' && word !== 'without') return undefined;
  return readLabelList(expr, skipSpaceAndComments(expr, from + word.length));
}

/** The binary operator at `from` with its modifiers, and where the space after them ends. */
function readOperator(expr: string, from: number): { op: Operator; end: number } | undefined {
  const one = expr[from]!;
  const two = expr.slice(from, from + 2);
  const word = SYMBOLS.includes(one) ? undefined : identifierAt(expr, from)?.toLowerCase();
  const name = PRECEDENCE.has(two) ? two : PRECEDENCE.has(one) ? one : word !== undefined && PRECEDENCE.has(word) ? word : undefined;
  if (name === undefined) return undefined;
  const op: Operator = { name, precedence: PRECEDENCE.get(name)! };
  let i = skipSpaceAndComments(expr, from + name.length);
  const c = expr.charCodeAt(i);
  // Modifiers are words: a number, a sign or a parenthesis is the operand already.
  if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) return { op, end: i };
  let next = identifierAt(expr, i)?.toLowerCase();
  if (next === 'bool' && op.precedence === 3) {
    i = skipSpaceAndComments(expr, i + 4);
    next = identifierAt(expr, i)?.toLowerCase();
  }
  if (next === 'on' || next === 'ignoring') {
    const list = readLabelList(expr, skipSpaceAndComments(expr, i + next.length));
    if (!list) return undefined;
    op.matching = { on: next === 'on', labels: list.labels };
    i = list.end;
    next = identifierAt(expr, i)?.toLowerCase();
    if (next === 'group_left' || next === 'group_right') {
      i = skipSpaceAndComments(expr, i + next.length);
      // Prometheus reads a `(` right after group_left as its label list, never as an operand.
      const include = expr[i] === '(' ? readLabelList(expr, i) : { labels: [], end: i };
      if (!include) return undefined;
      op.group = { side: next === 'group_left' ? 'left' : 'right', include: include.labels };
      i = include.end;
    }
  }
  return { op, end: i };
}

function modifierText(op: Operator): string {
  return op.matching ? ` ${op.matching.on ? 'on' : 'ignoring'} (${op.matching.labels.join(', ')})` : '';
}

/** The labels `left op right` can have, as Prometheus evaluates it (see the module comment). */
function combine(op: Operator, left: Value, right: Value): Value {
  if (left === 'scalar') return right;
  if (right === 'scalar') return left;
  if (op.name === 'and' || op.name === 'unless') {
    return left === 'unknown' ? left : { labels: left.labels, reason: left.reason ?? `\`${op.name}\` keeps the labels of its left side, grouped by (${left.labels.join(', ')})`, ...joinedOf(left.joined, left.labels) };
  }
  if (op.name === 'or') {
    if (left === 'unknown' || right === 'unknown') return 'unknown';
    const labels = [...new Set([...left.labels, ...right.labels])].sort();
    return { labels, reason: `\`or\` adds the right side's series, labelled (${right.labels.join(', ')}), to the left side's, labelled (${left.labels.join(', ')})` };
  }
  if (op.group) {
    const many = op.group.side === 'left' ? left : right;
    if (many === 'unknown') return 'unknown';
    const labels = [...new Set([...many.labels, ...op.group.include])].sort();
    const include = op.group.include.length > 0 ? ` and adds ${op.group.include.join(', ')} from the other side` : '';
    // An included label overwrites the many side's own too: joined, unless the many side had it.
    const side = op.group.side;
    const joined = [...(many.joined ?? []), ...op.group.include.filter((l) => !many.labels.includes(l)).map((label) => ({ label, side }))];
    return { labels, reason: `\`${op.name}${modifierText(op)} group_${op.group.side}\` keeps the labels of its ${op.group.side} side, (${many.labels.join(', ')})${include}`, ...joinedOf(joined, labels) };
  }
  if (op.matching?.on) {
    const labels = left === 'unknown' ? op.matching.labels : left.labels.filter((l) => op.matching!.labels.includes(l));
    return { labels, reason: `one-to-one matching \`${op.name}${modifierText(op)}\` keeps only the labels it matches on` };
  }
  if (op.matching) {
    // A filtering comparison keeps the left series' name: read only when the left side is known.
    if (left === 'unknown' && op.precedence === 3) return 'unknown';
    // Matched series are equal but for the ignored labels: either known side tells the rest.
    const ignored = op.matching.labels;
    const sides = [left, right].filter((v): v is ResultLabels => v !== 'unknown').map((v) => v.labels.filter((l) => !ignored.includes(l)));
    if (sides.length === 0 || (sides.length === 2 && sides[0]!.join() !== sides[1]!.join())) return 'unknown';
    // The result's series are the left side's: its joined labels stay joined.
    const joined = left === 'unknown' ? undefined : left.joined;
    return { labels: sides[0]!, reason: `one-to-one matching \`${op.name}${modifierText(op)}\` keeps the left side's labels but ${ignored.join(', ') || 'none'}`, ...joinedOf(joined, sides[0]!) };
  }
  if (left === 'unknown' || right === 'unknown' || left.labels.join() !== right.labels.join()) return 'unknown';
  return { labels: left.labels, reason: left.reason ?? right.reason, ...joinedOf(left.joined, left.labels) };
}

/**
 * `{ joined }` for those of `joined` still among `labels`, or nothing. Only where each series of
 * the result is one of a side's series, labels and all (and, unless, one-to-one matching without
 * `on`, a join's many side): `or`, `on (…)`, `without` and aggregations give series that may
 * differ in nothing else, and drop it.
 */
function joinedOf(joined: readonly JoinedLabel[] | undefined, labels: readonly string[]): { joined: JoinedLabel[] } | undefined {
  // A join adds only labels its many side lacks (combine), so no label comes twice; kept once anyway.
  const byLabel = new Map<string, JoinedLabel>();
  for (const j of joined ?? []) if (labels.includes(j.label) && !byLabel.has(j.label)) byLabel.set(j.label, j);
  const kept = [...byLabel.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return kept.length > 0 ? { joined: kept } : undefined;
}

/**
 * @module config/promql-literals
 * The literals of an expression the Lezer grammar (Prometheus 3's) parses but Prometheus 2's
 * lexer and parser refuse, so `validate` refuses what `promtool check rules` 2.x and a Prometheus
 * 2 loading the generated PrometheusRule refuse:
 *
 * - numbers and durations used for each other. Prometheus 3 reads a bare number where a duration
 *   goes as seconds (`offset 5`, `rate(x[300])`, `[5m:1]`) and a duration where a number goes as
 *   its seconds (`time() - 1h`), and takes `1_000`; Prometheus 2 refuses all three. There is
 *   always a spelling both read the same (`5s`, `3600`, `1000`), and a bare `offset 5` is more
 *   often a forgotten `m` than five seconds meant, so the message says what to write;
 * - durations Prometheus refuses: a zero or negative range or subquery step, one over the ~292
 *   years an int64 of nanoseconds holds, and a zero offset (promtool 2.x: "duration must be
 *   greater than 0"; it would change nothing anyway);
 * - an `@` timestamp that is NaN, infinite or out of range;
 * - string escapes Go's strconv refuses (`"\d"`: in a regex matcher the backslash must itself be
 *   escaped, `"\\d"`, or the string written in backticks).
 *
 * Each is reported at the literal (for an escape: at its backslash), worded for the author.
 */
import type { parser } from '@prometheus-io/lezer-promql';
import { goStringError } from './go-string.js';
import { parsePromDuration } from './rules-duration.js';

type Tree = ReturnType<typeof parser.parse>;
type SyntaxNode = Tree['topNode'];

export interface PromqlLiteralError {
  /** 0-based offset inside the expression. */
  offset: number;
  message: string;
}

/** A duration with units (`5m`, `1h30m`), as opposed to a number (`5`, `1.5`, `0x1f`, `1e3`). */
const WITH_UNIT = /^[-+]?(?:[0-9]+(?:ms|[smhdwy]))+$/;

/** The first literal of the error-free Lezer `tree` of `text` that Prometheus (2 or 3) refuses, or undefined. */
export function findPromqlLiteralError(tree: Tree, text: string): PromqlLiteralError | undefined {
  let found: PromqlLiteralError | undefined;
  tree.iterate({
    enter(ref) {
      if (found) return false;
      const node = ref.node;
      const literal = text.slice(node.from, node.to);
      switch (node.name) {
        case 'StringLiteral': {
          const bad = goStringError(literal);
          if (bad) found = { offset: node.from + bad.offset, message: `PromQL string ${bad.message}${bad.unknownEscape ? escapeHint(literal, bad.offset) : ''}` };
          return false;
        }
        case 'NumberDurationLiteralInDurationContext':
          found = durationError(node, literal, text);
          return false;
        case 'NumberDurationLiteral':
          found = numberError(node, literal);
          return false;
        default:
          return undefined;
      }
    },
  });
  return found;
}

/**
 * What a duration literal is for (the parent of its DurationExpr/OffsetDurationExpr chain), and
 * whether a `-` precedes it. `other` for a part of duration arithmetic (`[5m * 2]`): that is
 * promql-features.ts's to report, and its numbers are numbers.
 */
function durationUse(node: SyntaxNode, expr: string): { use: 'offset' | 'range' | 'subquery step' | 'subquery range' | 'other'; negative: boolean } {
  let negative = false;
  let n: SyntaxNode = node;
  for (let p = n.parent; p && (p.name === 'DurationExpr' || p.name === 'OffsetDurationExpr'); n = p, p = p.parent) {
    const kids: SyntaxNode[] = [];
    for (let c = p.firstChild; c; c = c.nextSibling) if (c.name !== 'LineComment') kids.push(c);
    const signed = kids.length === 2 && kids[0]!.name === 'UnaryOp';
    if (kids.length !== 1 && !signed) return { use: 'other', negative };
    if (signed && expr.slice(kids[0]!.from, kids[0]!.to) === '-') negative = !negative;
    if (p.parent?.name === 'OffsetExpr') return { use: 'offset', negative };
    if (p.parent?.name === 'MatrixSelector') return { use: 'range', negative };
    if (p.parent?.name === 'SubqueryExpr') {
      const durations = p.parent.getChildren('DurationExpr');
      return { use: durations.length > 1 && durations[1]!.from === p.from ? 'subquery step' : 'subquery range', negative };
    }
  }
  return { use: 'other', negative };
}

function durationError(node: SyntaxNode, literal: string, expr: string): PromqlLiteralError | undefined {
  const { use, negative } = durationUse(node, expr);
  if (use === 'other') return undefined;
  const what = `the ${use}`;
  if (!WITH_UNIT.test(literal)) {
    return {
      offset: node.from,
      message:
        `PromQL: ${what} needs a unit: write ${unitHint(literal)}, not the bare number ${literal} ` +
        `(Prometheus 2 and promtool 2.x refuse a number there; Prometheus 3 reads it as seconds)`,
    };
  }
  const ms = parsePromDuration(literal);
  if (ms === undefined) return { offset: node.from, message: `PromQL: duration ${literal} is out of range (at most about 292 years)` };
  if (use === 'offset' && ms === 0) return { offset: node.from, message: `PromQL: offset ${literal} is zero (Prometheus 2 refuses it: "duration must be greater than 0"); leave the offset out` };
  if ((use === 'range' || use.startsWith('subquery')) && (ms === 0 || negative)) {
    return { offset: node.from, message: `PromQL: ${what} must be greater than 0, got ${negative ? '-' : ''}${literal}` };
  }
  return undefined;
}

/** `5` → `5s (or 5m, 5h…)`; a fraction or other number → seconds in a duration. */
function unitHint(literal: string): string {
  return /^[0-9]+$/.test(literal) ? `${literal}s for seconds (or ${literal}m, ${literal}h…)` : 'a duration such as 30s, 5m or 1h30m';
}

function numberError(node: SyntaxNode, literal: string): PromqlLiteralError | undefined {
  const atTimestamp = node.parent?.name === 'StepInvariantExpr';
  if (WITH_UNIT.test(literal)) {
    const sign = literal.startsWith('-') ? -1 : 1;
    const seconds = (sign * (parsePromDuration(literal.replace(/^[-+]/, '')) ?? NaN)) / 1000;
    const where = atTimestamp ? 'an @ timestamp' : 'a number';
    return {
      offset: node.from,
      message:
        `PromQL: unexpected duration ${literal} where ${where} goes: write its seconds as a number, ${seconds} ` +
        `(Prometheus 2 and promtool 2.x refuse a duration there; Prometheus 3 reads it as seconds)`,
    };
  }
  if (literal.includes('_')) {
    return {
      offset: node.from,
      message: `PromQL: write the number ${literal} without underscores, ${literal.replaceAll('_', '')} (Prometheus 2 and promtool 2.x refuse them)`,
    };
  }
  if (atTimestamp) {
    const ts = numberValue(literal);
    // Prometheus' setTimestamp: the timestamp in seconds must fit an int64.
    if (!Number.isFinite(ts) || Math.abs(ts) >= 2 ** 63) {
      return { offset: node.from, message: `PromQL: timestamp out of bounds for @ modifier: ${literal} (give Unix seconds, or start() / end())` };
    }
  }
  return undefined;
}

/** A PromQL number literal's value (sign, hex, exponent, Inf, NaN). */
function numberValue(literal: string): number {
  const sign = literal.startsWith('-') ? -1 : 1;
  const body = literal.replace(/^[-+]/, '').toLowerCase();
  if (body === 'inf') return sign * Infinity;
  if (body === 'nan') return NaN;
  return sign * Number(body);
}

/** For a bad escape in a regex matcher's value (`"\d"`), the usual cause and its two cures. */
function escapeHint(literal: string, offset: number): string {
  return `; a backslash meant for a regex is written \\\\${literal[offset + 1] ?? ''} inside quotes, or put the string in backticks`;
}

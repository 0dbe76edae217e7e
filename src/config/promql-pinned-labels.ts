/**
 * @module config/promql-pinned-labels
 * The labels every series of an expression's result carries with one value the expression
 * itself fixes: `sum by (team) (rate(x{team="payments"}[5m]))` has only series labelled
 * team="payments". Such a label cannot tell two series apart, so Prometheus replacing its value
 * with the rule's makes no two series alike: check-rule-label-grouping.ts refuses a grouping by
 * a label the rule sets only when that label is not pinned.
 *
 * A label is pinned when every selector whose series can reach the result matches it to one
 * non-empty value, with `=` or with `=~` and a regex that is one literal (no metacharacters:
 * LITERAL_REGEX), and matches it once (`x{team="a", team!="b"}` is not read), and nothing on the
 * way drops or rewrites it. Each node, as Prometheus evaluates it:
 * - a selector: those matchers; `absent(x{…})` and `absent_over_time`: the same (Prometheus
 *   labels its series from them), of anything but a selector: none;
 * - `vector()`, a date function without argument: series without labels, so none pinned;
 *   `label_replace`, `label_join`, `info`, `count_values` write labels: none; other functions
 *   keep the labels of their vector arguments (those pinned in all of them);
 * - `sum by (l)`: its argument's pins among l; `without (l)`: but l; no clause: none;
 *   `topk`, `bottomk`, `limitk`, `limit_ratio`: the series' own labels, so its argument's;
 * - `and`, `unless`: the left side's; `or`: those both sides pin alike;
 * - one-to-one matching: what either side pins (matched series agree on every label compared),
 *   among the `on (l)` labels, or but the `ignoring (l)` ones; `group_left (e)`: the many side's
 *   but e, and e and the labels compared as the other side pins them (`group_right` alike,
 *   sides swapped);
 * - a number with a vector: the vector's.
 * `!=`, `!~` and any other regex pin nothing (`team=~"payments|prisons"`, `team=~"pay.*"`,
 * `team!="payments"` can match two); a literal regex does (`team=~"payments"`: Prometheus
 * anchors it, so it matches one value, as `team="payments"` does).
 * Called only for a query the grouping check would refuse, and by check-rule-other-team.ts for one
 * whose text names another team's `team` value: its parse costs nothing for other queries.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { buildAst, type Expr } from './promql-ast.js';
import { substituteWindow, withLezerNumbers } from './promql.js';

type Pins = Map<string, string>;
/** A scalar or a string: no series, so no label to pin or to lose. */
type Pinned = Pins | 'scalar';

/**
 * A regex without metacharacters matches one string, itself: Prometheus anchors every regex
 * (`^(?:…)$`), so `team=~"payments"` selects what `team="payments"` does. Anything else (`.`, `|`,
 * `(?i)`, an escape) may match more, or something else, and is read as pinning nothing.
 */
const LITERAL_REGEX = /^[^\\.+*?()|[\]{}^$]+$/;
const NONE: ReadonlyMap<string, string> = new Map();
const SCALAR_FUNCTIONS = new Set(['time', 'pi', 'scalar']);
/** Functions and aggregations that write a label's value from data (or join labels in). */
const LABEL_WRITERS = new Set(['label_replace', 'label_join', 'info', 'count_values']);
/** Aggregations whose series keep all their labels, whatever their grouping. */
const SELECTING = new Set(['topk', 'bottomk', 'limitk', 'limit_ratio']);

/** The pinned labels of `expr` (an SLO's `{{window}}` read as 5m); none when it does not parse. */
export function pinnedLabels(expr: string): ReadonlyMap<string, string> {
  try {
    const text = withLezerNumbers(substituteWindow(expr, '5m').text);
    const tree = parser.parse(text);
    let broken = false;
    tree.iterate({ enter: (n) => void (n.type.isError && (broken = true)) });
    if (broken) return NONE;
    const pins = pinsOf(buildAst(tree.topNode, text));
    return pins === 'scalar' ? NONE : pins;
  } catch {
    // A tree too deep to walk: nothing is known pinned, and the check refuses as before.
    return NONE;
  }
}

function pinsOf(e: Expr): Pinned {
  switch (e.k) {
    case 'number':
    case 'string':
      return 'scalar';
    case 'selector': {
      const seen = new Map<string, number>();
      for (const m of e.matchers) seen.set(m.label, (seen.get(m.label) ?? 0) + 1);
      const pins: Pins = new Map();
      for (const m of e.matchers) {
        const one = m.op === 'EqlSingle' || (m.op === 'EqlRegex' && LITERAL_REGEX.test(m.value ?? ''));
        if (one && m.value && seen.get(m.label) === 1 && !m.label.startsWith('__')) pins.set(m.label, m.value);
      }
      return pins;
    }
    case 'matrix':
    case 'subquery':
    case 'offset':
    case 'at':
    case 'modifier':
    case 'paren':
    case 'unary':
      return pinsOf(e.inner);
    case 'call': {
      const name = e.name.toLowerCase();
      if (SCALAR_FUNCTIONS.has(name)) return 'scalar';
      if (LABEL_WRITERS.has(name) || name === 'vector') return new Map();
      if (name === 'absent' || name === 'absent_over_time') {
        let arg = e.args[0];
        while (arg && (arg.k === 'matrix' || arg.k === 'offset' || arg.k === 'at')) arg = arg.inner;
        return arg?.k === 'selector' ? pinsOf(arg) : new Map();
      }
      return common(e.args.map(pinsOf).filter((p): p is Pins => p !== 'scalar'));
    }
    case 'aggregate': {
      const arg = e.args[e.args.length - 1];
      const inner = arg ? pinsOf(arg) : 'scalar';
      if (inner === 'scalar' || LABEL_WRITERS.has(e.op)) return new Map();
      if (SELECTING.has(e.op)) return inner;
      if (!e.grouping) return new Map();
      const { without, labels } = e.grouping;
      return new Map([...inner].filter(([l]) => labels.includes(l) !== without));
    }
    case 'binary': {
      const left = pinsOf(e.lhs);
      const right = pinsOf(e.rhs);
      if (left === 'scalar') return right;
      if (right === 'scalar') return left;
      if (e.op === 'And' || e.op === 'Unless') return left;
      if (e.op === 'Or') return common([left, right]);
      const m = e.matching;
      if (m?.group) {
        const [many, one] = m.groupRight ? [right, left] : [left, right];
        const pins = new Map([...many].filter(([l]) => !m.include.includes(l)));
        // The labels compared agree on both sides; the included ones are copied from the one side.
        for (const [l, v] of one) if (m.include.includes(l) || (!pins.has(l) && m.labels.includes(l) === m.on)) pins.set(l, v);
        return pins;
      }
      // Matched series agree on every label compared: a label either side pins is the result's.
      const both = new Map([...right, ...left]);
      if (!m) return both;
      return new Map([...both].filter(([l]) => m.labels.includes(l) === m.on));
    }
    default:
      return new Map();
  }
}

/** The labels every map pins, to the same value. */
function common(all: Pins[]): Pins {
  if (all.length === 0) return new Map();
  return new Map([...all[0]!].filter(([l, v]) => all.every((p) => p.get(l) === v)));
}

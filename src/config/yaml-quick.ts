/**
 * @module config/yaml-quick
 * A quick first reading of a config file's YAML, for files that are fine: js-yaml builds the
 * plain value ~6 × faster than `yaml` builds a document with every node's position, and a
 * 500-team `generate` spent most of its time there. Positions are only needed to report a
 * problem, so a file is read quickly first, and read again with `yaml` (yaml-source.ts) only if
 * a check finds something to report.
 *
 * `yaml` stays the reference: where the quick reading cannot be sure to read a text as `yaml`
 * does, it gives up and the file is read by `yaml` alone. Scalars resolve by `yaml`'s YAML 1.2
 * core schema rules, copied below (js-yaml's own core schema differs: `0b1`, `-0x1F`, `+.5`). It gives
 * up on any js-yaml error or warning, and on what a differential fuzz (yaml-quick.test.ts)
 * found the two read differently, or js-yaml accepting what `yaml` refuses: tags, anchors and
 * aliases, null keys, flow collections over several lines or as keys, some block scalars and
 * escaped line breaks (`needsYaml`), and directives, tabs in indentation, odd sequence entries
 * and comment placements (`unsureText`). Config files rarely use any of these.
 */
import { FAILSAFE_SCHEMA, load, Type, type State } from 'js-yaml';

/** What `quickYamlValue` returns when it cannot be sure. */
export const NOT_QUICK: unique symbol = Symbol('not quick');

/** One js-yaml type per tag (it keeps only the last of a tag): the forms are tried in order. */
const scalar = (tag: string, forms: Array<[RegExp, (s: string) => unknown]>) => {
  const formOf = (s: string) => forms.find(([test]) => test.test(s));
  return new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (s: string | null) => s !== null && formOf(s) !== undefined,
    construct: (s: string) => formOf(s)![1](s),
  });
};

/** `yaml` 2's core schema (its `schema/core`): the same tests, in the same order, the same values. */
const CORE_LIKE_YAML = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    scalar('bool', [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T']]),
    scalar('int', [
      [/^0o[0-7]+$/, (s) => parseInt(s.substring(2), 8)],
      [/^[-+]?[0-9]+$/, (s) => parseInt(s, 10)],
      [/^0x[0-9a-fA-F]+$/, (s) => parseInt(s.substring(2), 16)],
    ]),
    scalar('float', [
      [
        /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
        (s) => (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY),
      ],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (s) => parseFloat(s)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (s) => parseFloat(s)],
    ]),
  ],
});

/**
 * Text only `yaml` can be trusted with, line by line: a byte order mark; directives (`%YAML 1.1`
 * would change `yaml`'s schema); document markers with text after them; tabs in indentation;
 * empty sequence entries and sequences in sequences on one line (`- - x`); explicit keys
 * (`? `); lines over 1024 characters (`yaml` refuses implicit keys that long); a comment line
 * followed by a more indented line (`yaml` sometimes reads that line as a key).
 */
function unsureText(text: string): boolean {
  if (text.includes('\ufeff')) return true;
  let commentIndent = -1;
  for (let from = 0; from < text.length; ) {
    const eol = text.indexOf('\n', from);
    const end = eol === -1 ? text.length : eol;
    const line = text.slice(from, end);
    from = end + 1;
    if (line.length > 1024) return true;
    let indent = 0;
    while (line[indent] === ' ') indent++;
    if (line[indent] === '\t') return true;
    const rest = line.slice(indent).trimEnd();
    if (rest === '') continue;
    if (commentIndent >= 0 && indent > commentIndent) return true;
    commentIndent = rest[0] === '#' ? indent : -1;
    if (indent === 0 && (rest[0] === '%' || rest.startsWith('...') || (rest.startsWith('---') && !/^---(?:$|[ \t]+#)/.test(rest)))) return true;
    if (rest[0] === '-' && /^-[ \t]*(?:$|#|-(?:\s|$))/.test(rest.replace(/^- +(?=-)/, '-'))) return true;
    if (rest.includes('?') && /(?:^|[\s[{,])\?(?:\s|$)/.test(rest)) return true;
  }
  return false;
}

/** The plain value of `text`, or NOT_QUICK when only `yaml` can say. */
export function quickYamlValue(text: string): unknown {
  if (unsureText(text)) return NOT_QUICK;
  let unsure = false;
  const opened: number[] = [];
  const listener = (event: 'open' | 'close', state: State): void => {
    if (event === 'open') return void opened.push(state.position);
    const start = opened.pop() ?? 0;
    if (!unsure) unsure = needsYaml(state.input, start, state.position);
  };
  try {
    const value = load(text, { schema: CORE_LIKE_YAML, listener, onWarning: () => (unsure = true) });
    return unsure || value === undefined || hasNullKey(value) ? NOT_QUICK : value;
  } catch {
    return NOT_QUICK;
  }
}

/**
 * Is the node read from `start` to `end` one that only `yaml` can be trusted with: one with a
 * tag, an anchor or an alias; a flow collection over several lines or used as a key; anything
 * followed by a comment without a space; a block scalar with an indentation indicator, keeping
 * its final line breaks (`|+`), or with blank leading lines more indented than its text; a
 * double-quoted scalar with an escaped line break?
 */
function needsYaml(input: string, start: number, end: number): boolean {
  // js-yaml's end of a plain scalar includes the blanks after it; a comment needs one before it.
  if (input[end] === '#' && input[end - 1] !== ' ' && input[end - 1] !== '\t') return true;
  const i = firstToken(input, start, end);
  const c = input[i];
  if (c === '!' || c === '&' || c === '*') return true;
  if (c === '[' || c === '{') return input.lastIndexOf('\n', end - 1) > i || /^[ \t]*:/.test(input.slice(end, end + 80));
  if (c === '|' || c === '>') return blockScalarNeedsYaml(input, i);
  // An escaped line break: the two disagree on the blank lines after one.
  return c === '"' && /\\\r?\n/.test(input.slice(i, end));
}

/** Its header, and its blank leading lines against the first line after them (whether js-yaml counts that line in or not). */
function blockScalarNeedsYaml(input: string, header: number): boolean {
  let eol = input.indexOf('\n', header);
  if (/[0-9+]/.test(input.slice(header, eol === -1 ? undefined : eol).replace(/#.*/, ''))) return true;
  let blank = 0;
  while (eol !== -1) {
    const from = eol + 1;
    eol = input.indexOf('\n', from);
    const line = input.slice(from, eol === -1 ? undefined : eol);
    const indent = line.length - line.trimStart().length;
    if (line.trim() !== '') return blank > indent;
    blank = Math.max(blank, line.length);
  }
  return false;
}

/** js-yaml names a `~`, `null` or empty key "null" where `yaml` names it "". */
function hasNullKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasNullKey);
  for (const [k, v] of Object.entries(value)) if (k === 'null' || hasNullKey(v)) return true;
  return false;
}

/** Skips blanks, line breaks and comments: where a node's own text begins. */
function firstToken(input: string, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const c = input[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#') {
      const eol = input.indexOf('\n', i);
      i = eol === -1 ? end : eol + 1;
    } else break;
  }
  return i;
}

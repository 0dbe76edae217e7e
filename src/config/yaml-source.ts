/**
 * @module config/yaml-source
 * Parse a YAML file keeping node positions, so that YAML syntax errors, zod schema issues and
 * semantic checks can all be reported at `file:line:col`. `checkYamlText` runs a file's checks
 * on a quick reading first (yaml-quick.ts) and parses positions only for a file with problems.
 *
 * @example
 * const src = parseYamlSource('routes/payments.yaml', text);
 * if (src.errors.length) return src.errors;
 * const r = schema.safeParse(src.value);
 * if (!r.success) return zodIssuesToSourceErrors(src, r.error.issues);
 */
import { isMap, isNode, isScalar, isSeq, LineCounter, Pair, parseDocument, visit, YAMLMap, YAMLParseError, type Document } from 'yaml';
import type { z } from 'zod';
import { closestName } from './closest-name.js';
import { describePath } from './describe-path.js';
import { secretShapeIn, secretShapeOf, whereSecretGoes } from './looks-like-key.js';
import { knownKeysAt } from './schema-keys.js';
import type { SourceError } from './source-error.js';
import { explainYamlErrors } from './yaml-error-hints.js';
import { NOT_QUICK, quickYamlValue } from './yaml-quick.js';

export type PathSegment = string | number;

export interface YamlSource {
  file: string;
  /** Parsed when first used if the value was read quickly (`quick`). */
  readonly doc: Document;
  readonly lineCounter: LineCounter;
  /** Plain JS value of the document (undefined for an empty file). */
  value: unknown;
  /** YAML syntax errors (and warnings), already positioned. */
  errors: SourceError[];
  /** Read by yaml-quick.ts: no errors, and the document only parsed if a position is asked for. */
  quick: boolean;
  /**
   * When every error is a line indented otherwise than meant: the text with those lines
   * re-indented (it parses), and by line how many columns further right each now starts, so the
   * file's other mistakes can be checked and reported in the same run (readOnProblems).
   */
  readOn?: { text: string; colShift: ReadonlyMap<number, number> };
}

/**
 * The file read quickly (yaml-quick.ts), its document parsed only if asked for, and `yaml`'s
 * full reading of it (the same parse, if a position was asked for already); undefined when only
 * `yaml` can read the file.
 */
function quickYamlSource(file: string, text: string): { src: YamlSource; full: () => YamlSource } | undefined {
  const value = quickYamlValue(text);
  if (value === NOT_QUICK) return undefined;
  let parsed: YamlSource | undefined;
  const full = (): YamlSource => (parsed ??= parseYamlSource(file, text));
  const src: YamlSource = {
    file,
    value,
    errors: [],
    quick: true,
    get doc() {
      return full().doc;
    },
    get lineCounter() {
      return full().lineCounter;
    },
  };
  return { src, full };
}

/**
 * `check` run on the quick reading of `text`, or on `yaml`'s when the quick reading is unsure or
 * the check finds anything to report (an error or a warning): reports always come from `yaml`'s
 * reading, and a file that is fine is parsed once, quickly.
 */
export function checkYamlText<R extends { problems: readonly SourceError[] }>(file: string, text: string, check: (src: YamlSource) => R): R {
  const quick = quickYamlSource(file, text);
  if (!quick) return check(parseYamlSource(file, text));
  const quickly = check(quick.src);
  // Reporting a problem has usually parsed the document already: its reading is reused.
  return quickly.problems.length === 0 ? quickly : check(quick.full());
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  // logLevel 'error': yaml's warnings stay in doc.warnings (reported below) instead of also going
  // to stderr as Node process warnings in yaml's words ("Set mapAsMap: true …").
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  let value: unknown;
  if (doc.errors.length === 0) {
    try {
      value = doc.toJS();
    } catch (err) {
      // yaml throws (rather than reports) when aliases would expand exponentially ("billion
      // laughs"): make it an ordinary positioned error, so such a file is refused, never a crash.
      const at = firstAliasOffset(doc);
      doc.errors.push(new YAMLParseError([at, at + 1], 'RESOURCE_EXHAUSTION', (err as Error).message));
    }
  }
  const errors: SourceError[] = [];
  // yaml's "Map keys must be unique" said with the key and where it was first given. The
  // messages come from one walk of the document: a walk for each such error took 100 s for a
  // 50,000-line file with a key given twice in each of its 7,150 alerts.
  const duplicateWords = new Set([...doc.errors, ...doc.warnings].filter((e) => e.code === 'DUPLICATE_KEY').map((e) => e.message.split('\n')[0] ?? e.message));
  const duplicateMessages = duplicateWords.size > 0 ? duplicateKeyMessages(doc, lineCounter) : new Map<number, string>();
  let readOn: YamlSource['readOn'];
  const reports = explainYamlErrors(text, doc.errors, lineCounter, (reindented) => {
    readOn = { text: reindented, colShift: indentShifts(text, reindented) };
  });
  for (const e of reports) {
    const pos = lineCounter.linePos(e.offset);
    const message = (duplicateWords.has(e.message) ? duplicateMessages.get(e.offset) : undefined) ?? e.message;
    errors.push({ file, line: pos.line, col: pos.col, message, severity: 'error' });
  }
  for (const e of doc.warnings) {
    const pos = lineCounter.linePos(e.pos[0]);
    // yaml's message repeats the position on later lines; keep the first line only.
    errors.push({ file, line: pos.line, col: pos.col, message: e.message.split('\n')[0] ?? e.message, severity: 'warning' });
  }
  return { file, doc, lineCounter, value, errors, quick: false, ...(readOn && { readOn }) };
}

/**
 * Why a file has no document: empty, or only comments (a newcomer's placeholder: "the file is
 * empty" would send them looking at a file they can see text in).
 */
export function noDocumentMessage(src: YamlSource, expected: string): string {
  const doc = src.doc;
  const comments = !!(doc.commentBefore || doc.comment);
  return `the file ${comments ? 'holds only comments' : 'is empty'}: expected a team ${expected} document (team: …)`;
}

/** By 1-based line, how many columns further right `after`'s line starts than `before`'s (lines that differ only). */
function indentShifts(before: string, after: string): Map<number, number> {
  const a = before.split('\n');
  const b = after.split('\n');
  const shifts = new Map<number, number>();
  const indent = (l: string) => /^[ \t]*/.exec(l)![0].length;
  a.forEach((line, i) => {
    if (line !== b[i]) shifts.set(i + 1, indent(b[i] ?? '') - indent(line));
  });
  return shifts;
}

/**
 * The problems `check` finds in `src` read on as re-indented (src.readOn), placed in the file as
 * written: a re-indented line's columns moved back by its shift. Without a readOn, none.
 */
export function readOnProblems(src: YamlSource, check: (reindented: YamlSource, text: string) => readonly SourceError[]): SourceError[] {
  if (!src.readOn) return [];
  const { text, colShift } = src.readOn;
  const again = parseYamlSource(src.file, text);
  // yaml's warnings of the text read on are those of the file as written, already reported with src.errors.
  const reread: YamlSource = { ...again, errors: again.errors.filter((e) => e.severity !== 'warning') };
  return check(reread, text).map((p) => {
    const shift = p.file === src.file ? colShift.get(p.line) : undefined;
    return shift ? { ...p, col: Math.max(1, p.col - shift) } : p;
  });
}

/**
 * yaml's "Map keys must be unique" says neither which key nor where the first one is: in a
 * long rules file the author is left to find it. For each key given again, by its offset: the
 * key, its map's path and the first occurrence.
 */
function duplicateKeyMessages(doc: Document, lineCounter: LineCounter): Map<number, string> {
  const found = new Map<number, string>();
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (isMap(node)) {
      const seen = new Map<unknown, number>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        const at = isNode(pair.key) ? pair.key.range?.[0] : undefined;
        const first = seen.get(key);
        if (at !== undefined && first !== undefined) {
          const { line, col } = lineCounter.linePos(first);
          const where = path.length ? `${describePath(path)}: ` : '';
          const shape = secretShapeIn(String(key));
          const which = shape ? `a key that looks like ${shape} (not shown here)` : `key ${JSON.stringify(String(key))}`;
          found.set(at, `${where}${which} is given twice (first at line ${line}, column ${col}); a YAML map takes each key once`);
        } else if (at !== undefined) seen.set(key, at);
        walk(pair.value, [...path, typeof key === 'number' ? key : String(key)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    }
  };
  walk(doc.contents, []);
  return found;
}

function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

/**
 * Position of the node at `path`; falls back to the nearest existing ancestor (a missing key is
 * reported where its parent object is). With `key: true` the position of the map key is returned.
 */
export function positionOf(src: YamlSource, path: readonly PathSegment[], opts: { key?: boolean } = {}): { line: number; col: number } {
  let node: unknown = src.doc.contents;
  let best: unknown = node;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (!isNode(node)) break;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyMatches(src.doc, p, seg));
      if (!pair) break;
      const last = i === path.length - 1;
      if (last && opts.key && isNode(pair.key)) {
        best = pair.key;
        break;
      }
      node = pair.value ?? pair.key;
    } else if ('items' in node && Array.isArray((node as { items: unknown[] }).items) && typeof seg === 'number') {
      node = (node as { items: unknown[] }).items[seg];
    } else {
      break;
    }
    if (isNode(node)) best = node;
  }
  const offset = isNode(best) && best.range ? best.range[0] : 0;
  return src.lineCounter.linePos(offset);
}

/**
 * Whether `pair`'s key is the path segment `seg`. Paths hold keys as the plain JS value names
 * them: a key that is a list or a map (`? [a, b]`) as the text yaml makes of it ("[ a, b ]"), a
 * number or null key as its text. yaml's own conversion of that one pair gives the same text.
 */
function keyMatches(doc: Document, pair: Pair<unknown, unknown>, seg: PathSegment): boolean {
  if (isScalar(pair.key) && (pair.key.value === seg || typeof pair.key.value === 'string')) return pair.key.value === seg;
  const one = new YAMLMap(doc.schema);
  one.items = [new Pair(pair.key, null)]; // the key alone: its value may be a big subtree
  return Object.keys(one.toJS(doc) as object)[0] === String(seg);
}

export function errorAt(src: YamlSource, path: readonly PathSegment[], message: string, severity: SourceError['severity'] = 'error'): SourceError {
  const { line, col } = positionOf(src, path);
  return { file: src.file, line, col, message, severity };
}

/**
 * Map zod issues onto positions in the YAML; every issue becomes one error. With the `schema`
 * the file was checked against, an unknown field names the field it most likely meant
 * (`severty` → `severity`) or else the fields its place takes, and a required field that is
 * missing says so (zod's own words are "expected string, received undefined"); a missing field
 * that a misspelled one already points to is not reported twice.
 */
export function zodIssuesToSourceErrors(src: YamlSource, issues: readonly z.core.$ZodIssue[], schema?: z.ZodType): SourceError[] {
  const out: SourceError[] = [];
  const pathOf = (issue: z.core.$ZodIssue) => issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  // Looked up in the value, not the document: a value reached through an alias (labels: *common)
  // is in the value, while the document's path stops at the alias.
  const isMissing = (issue: z.core.$ZodIssue, path: readonly PathSegment[]) => {
    // A field of choices left out (a panel's type) is an invalid_value, not an invalid_type.
    if ((issue.code !== 'invalid_type' && issue.code !== 'invalid_value') || path.length === 0) return false;
    const parent = valueAt(src.value, path.slice(0, -1));
    return parent === null || typeof parent !== 'object' || !Object.hasOwn(parent, path[path.length - 1]!);
  };
  // Missing required fields by parent path, the candidates a misspelled key most likely meant.
  const missingByParent = new Map<string, string[]>();
  for (const issue of issues) {
    const path = pathOf(issue);
    if (!isMissing(issue, path)) continue;
    const parent = describePath(path.slice(0, -1));
    missingByParent.set(parent, [...(missingByParent.get(parent) ?? []), String(path[path.length - 1])]);
  }
  const meantBy = (key: string, parentPath: readonly PathSegment[]) => {
    const missing = missingByParent.get(describePath(parentPath)) ?? [];
    const known = schema ? knownKeysAt(schema, parentPath) : undefined;
    const meant = closestName(key, missing) ?? (known ? closestName(key, known) : undefined);
    return { meant, known, explainsMissing: meant !== undefined && missing.includes(meant) };
  };
  const explained = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const path = pathOf(issue);
    for (const key of issue.keys) {
      const { meant, explainsMissing } = meantBy(key, path);
      if (explainsMissing) explained.add(describePath([...path, meant!]));
    }
  }
  for (const issue of issues) {
    const path = pathOf(issue);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const { line, col } = positionOf(src, [...path, key], { key: true });
        const secret = secretShapeIn(key);
        if (secret) {
          // Said without the name, and without a field it might have meant: it is a secret to move and rotate.
          const message = `${describePath([...path, key])}: unknown field, named with text that looks like ${secret} (not shown here); ${whereSecretGoes(secret)}: rotate it if this file was committed or shared`;
          out.push({ file: src.file, line, col, message, severity: 'error' });
          continue;
        }
        const { meant, known } = meantBy(key, path);
        const amMatch = (key === 'match' || key === 'match_re') && known?.includes('matchers') ? alertmanagerMatchHint(key, valueAt(src.value, [...path, key]), path[0] === 'owns') : undefined;
        const hint =
          amMatch !== undefined
            ? amMatch
            : key === '<<'
            ? ': YAML merge keys (<<: *anchor) are not supported; write the fields out, or put an anchor on a whole value and refer to it (labels: *common)'
            : meant !== undefined
              ? `; did you mean "${meant}"?`
              : known
                ? `; the fields here are ${known.join(', ')}`
                : '';
        out.push({ file: src.file, line, col, message: `${describePath([...path, key])}: unknown field "${key}"${hint}`, severity: 'error' });
      }
      continue;
    }
    const { line, col } = positionOf(src, path);
    if (isMissing(issue, path)) {
      if (explained.has(describePath(path))) continue;
      out.push({ file: src.file, line, col, message: `${describePath(path)}: missing field "${String(path[path.length - 1])}", which is required here`, severity: 'error' });
      continue;
    }
    if (path.length === 0 && issue.code === 'invalid_type') {
      const found = Array.isArray(src.value) ? 'a list' : `a single ${typeof src.value} value`;
      out.push({ file: src.file, line, col, message: `the file holds ${found}, but a team file is a map of fields, starting with team: <name>`, severity: 'error' });
      continue;
    }
    const where = path.length ? `${describePath(path)}: ` : '';
    const found = valueAt(src.value, path);
    const message = (plainMessage(issue, found, path[path.length - 1]) ?? issue.message) + (matchersAsMapHint(path, found) ?? '');
    const commented = found === null ? commentedOutValue(src, path) : undefined;
    out.push({ file: src.file, line, col, message: `${where}${commented ? saidAsComment(message, commented, path[path.length - 1]) : message}`, severity: 'error' });
  }
  return out;
}

/**
 * zod's own messages ("Invalid input: expected int, received number", "Too small: expected
 * number to be >0", "Invalid option: expected one of \"a\"|\"b\"") in the words of a YAML file,
 * with the value found; undefined for the schema's own messages, which are kept.
 */
function plainMessage(issue: z.core.$ZodIssue, found: unknown, key: PathSegment | undefined): string | undefined {
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    if (issue.expected === 'int' && typeof found === 'number') return `expected a whole number, found ${kindOf(found)}`;
    return wrongKindMessage(issue.expected, found, key);
  }
  if ((issue.code === 'too_small' || issue.code === 'too_big') && issue.origin === 'number' && /^Too (small|big)/.test(issue.message)) {
    const small = issue.code === 'too_small';
    const bound = Number(small ? issue.minimum : issue.maximum);
    const limit = issue.inclusive ? `${small ? 'at least' : 'at most'} ${bound}` : `${small ? 'above' : 'below'} ${bound}`;
    return `expected a number ${limit}, found ${kindOf(found)}`;
  }
  if (issue.code === 'invalid_value' && issue.message.startsWith('Invalid option')) {
    const choices = issue.values.map(String);
    const meant = typeof found === 'string' ? meantChoice(found, choices) : undefined;
    return `expected one of ${choices.join(', ')}, found ${kindOf(found)}${meant ? `; did you mean "${meant}"?` : ''}`;
  }
  return undefined;
}

/**
 * The text after `key: #` when a value left empty has a comment right after it with no space
 * after the `#` (`channel: #orders-alerts`, `severity: #critical`): the value meant, which YAML
 * reads as a comment. A comment that reads as one (`channel:   # leads`) is not taken for it.
 */
function commentedOutValue(src: YamlSource, path: readonly PathSegment[]): string | undefined {
  const node = src.doc.getIn(path, true);
  if (!isScalar(node) || node.value !== null || !node.range || node.range[0] !== node.range[1]) return undefined;
  const comment = node.comment;
  return comment && /^[^\s#]/.test(comment) && !secretShapeIn(comment) ? `#${comment.trimEnd()}` : undefined;
}

/** `message` about an empty value, saying the value was written but YAML reads it as a comment. */
function saidAsComment(message: string, value: string, key: PathSegment | undefined): string {
  const why = `YAML reads ${JSON.stringify(value)} as a comment (a # after a space starts one); quote it: ${String(key)}: ${JSON.stringify(value)}`;
  const empty = 'found nothing (an empty value)';
  return message.includes(empty) ? `${message.slice(0, message.indexOf(empty))}found nothing: ${why}` : `${message}; ${why}`;
}

/** `{severity: critical}` as matcher strings (`'severity="critical"'`), or undefined when it cannot be shown (not a map of text, or a secret in it). */
function matcherStrings(map: unknown, op: '=' | '=~', oneString = false): string[] | undefined {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) return undefined;
  const entries = Object.entries(map as Record<string, unknown>);
  if (entries.length === 0 || entries.some(([k, v]) => (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') || secretShapeIn(k) || secretShapeIn(String(v)))) return undefined;
  const matchers = entries.map(([k, v]) => `${k}${op}${JSON.stringify(String(v))}`);
  // One string holds matchers that must all match: an item of a list, or owns.matchers, whose strings are alternatives.
  return oneString ? [`'${matchers.join(', ')}'`] : matchers.map((m) => `'${m}'`);
}

/**
 * Matchers written as a map (`matchers: {severity: critical}`, an item `- severity: critical`):
 * the YAML of Alertmanager's old `match:`, which alertgate takes in the `matchers:` syntax. Said
 * with the strings to write; undefined for anything else.
 */
function matchersAsMapHint(path: readonly PathSegment[], found: unknown): string | undefined {
  const item = typeof path[path.length - 1] === 'number' && path[path.length - 2] === 'matchers';
  if (!item && path[path.length - 1] !== 'matchers') return undefined;
  const strings = matcherStrings(found, '=', item || path[0] === 'owns');
  if (!strings) return undefined;
  return `: matchers are text in Alertmanager's matcher syntax; write ${item ? `- ${strings.join(', ')}` : `matchers: [${strings.join(', ')}]`}`;
}

/** Alertmanager's `match:` / `match_re:` where `matchers:` goes: what to write instead. */
function alertmanagerMatchHint(key: 'match' | 'match_re', value: unknown, oneString: boolean): string {
  const strings = matcherStrings(value, key === 'match' ? '=' : '=~', oneString);
  return `: Alertmanager's ${key}: is written as matchers here, in its matcher syntax${strings ? `; write matchers: [${strings.join(', ')}]` : ''}`;
}

/**
 * Grafana's panel types before Grafana 7/8 replaced them: a dashboard copied from an old one
 * says `graph` or `singlestat`, which no edit-distance match would lead to.
 */
const FORMER_NAMES: Readonly<Record<string, string>> = { graph: 'timeseries', singlestat: 'stat' };

/** The choice `found` most likely meant: a near spelling, the one choice it starts (`warn` → warning), or what replaced it. */
function meantChoice(found: string, choices: readonly string[]): string | undefined {
  const near = closestName(found, choices);
  if (near) return near;
  const word = found.trim().toLowerCase();
  const started = word.length >= 3 ? choices.filter((c) => c.toLowerCase().startsWith(word)) : [];
  if (started.length === 1) return started[0];
  const former = Object.hasOwn(FORMER_NAMES, word) ? FORMER_NAMES[word] : undefined;
  return former && choices.includes(former) ? former : undefined;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root;
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<PathSegment, unknown>)[seg] : undefined;
  return v;
}

/**
 * A value as a message says it was found. A PagerDuty routing key or a Slack token pasted in the
 * wrong place (`pagerduty: e93f…`, `period: e93f…`, `dedup: xoxb-…`) is described without its
 * text: routes-semantics already says a key is one to rotate without showing it, and this
 * message would print it in CI logs.
 */
function kindOf(v: unknown): string {
  if (v === null) return 'nothing (an empty value)';
  const secret = typeof v === 'string' ? secretShapeOf(v) : undefined;
  if (secret) return `text that looks like ${secret} (not shown here)`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v === 'string' ? 'the text' : `the ${typeof v}`} ${JSON.stringify(v)}`;
}

/**
 * A duration field's error for a value that is no text (`for: [15m]`, `window: {days: 30}`,
 * `duration: 2`): zod's would be "expected text", without saying a duration is wanted. `key` is
 * the field's name, for an empty value.
 */
export function notADurationMessage(found: unknown, key?: string): string {
  return wrongKindMessage('duration', found, key)!;
}

const YAML_11_BOOLEANS: Readonly<Record<string, string>> = { yes: 'true', y: 'true', on: 'true', no: 'false', n: 'false', off: 'false' };

/**
 * zod's "Invalid input: expected array, received string" in the words of a YAML file, with what
 * to write for the usual slips: one item where a list goes, a quoted number, `k=v` for a map.
 */
function wrongKindMessage(expected: string, found: unknown, key?: PathSegment): string | undefined {
  const kind = kindOf(found);
  switch (expected) {
    case 'array':
      return `expected a list, found ${kind}${typeof found === 'string' && !secretShapeOf(found) ? `: write [${found}] for a list of one, or one "- item" per line` : ''}`;
    case 'number':
      return `expected a number, found ${kind}${typeof found === 'string' && /^\s*-?[0-9]+(\.[0-9]+)?\s*$/.test(found) ? `: write it without quotes, ${found.trim()}` : ''}`;
    case 'record':
    case 'object':
      return `expected a map (name: value lines indented under it), found ${kind}`;
    case 'string':
      if (found === null || found === undefined) return `expected text, found ${kind}: write the text ${typeof key === 'string' ? `after "${key}:"` : 'there'}`;
      return `expected text, found ${kind}${typeof found === 'object' ? '' : ': quote it'}`;
    case 'duration': {
      const n = typeof found === 'number' && Number.isInteger(found) && found > 0 ? found : undefined;
      const hint =
        found === null || found === undefined
          ? `: write the duration ${typeof key === 'string' ? `after "${key}:"` : 'there'}`
          : n !== undefined
            ? `: give it a unit (${n}s, ${n}m, ${n}h…)`
            : found === 0
              ? ': quote it, "0"'
              : '';
      return `expected a duration such as 5m, found ${kind}${hint}`;
    }
    case 'boolean': {
      // YAML 1.1's booleans (PyYAML, older Kubernetes tooling), which YAML 1.2 reads as text.
      const word = typeof found === 'string' ? found.trim().toLowerCase() : '';
      const yaml11 = Object.hasOwn(YAML_11_BOOLEANS, word) ? YAML_11_BOOLEANS[word] : undefined;
      return `expected true or false, found ${kind}${yaml11 ? `: write ${yaml11} (YAML 1.2 reads yes, no, on and off as text)` : ''}`;
    }
    default:
      return undefined;
  }
}

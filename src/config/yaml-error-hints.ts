/**
 * @module config/yaml-error-hints
 * `yaml`'s errors for a mis-indented line, reworded for the author of a config file. A line
 * indented one space too deep or too shallow gives two or three errors in the parser's terms
 * ("Implicit keys need to be on a single line", "Nested mappings are not allowed in compact
 * mappings"), placed at the value on the line above; here it is one error, at the line at fault,
 * saying which column its key should start at.
 */
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { secretShapeIn } from './looks-like-key.js';

export interface YamlErrorReport {
  offset: number;
  message: string;
}

/** A report, and for a line whose indentation derails the parser, that line re-indented. */
interface Explained extends YamlErrorReport {
  line: number;
  repaired?: string;
}

/** 1-based column of the first key of line `line` (after leading spaces and `- ` item markers). */
function keyColumn(lines: readonly string[], line: number): number {
  return (/^(?:[ ]*-[ ]+)*[ ]*/.exec(lines[line - 1] ?? '')?.[0].length ?? 0) + 1;
}

/**
 * A line without a CRLF file's `\r` (lines keep it, for offsets): a comment's `.*` stops before
 * it, so `(#.*)?$` failed on every commented line of such a file.
 */
function withoutCr(line: string | undefined): string {
  return (line ?? '').replace(/\r$/, '');
}

/** The nearest line above `line` that holds something (not blank, not only a comment). */
function lineAbove(lines: readonly string[], line: number): number | undefined {
  for (let l = line - 1; l >= 1; l--) if (!/^\s*(#.*)?$/.test(withoutCr(lines[l - 1]))) return l;
  return undefined;
}

/**
 * Offset of each line's start, per version of the file's lines (each re-indent round has its
 * own). Summing the lengths above at each call was O(line) per error: 0.8 s for the 7,150
 * errors of a 50,000-line file.
 */
const lineStarts = new WeakMap<readonly string[], number[]>();

function lineStart(lines: readonly string[], line: number): number {
  let starts = lineStarts.get(lines);
  if (!starts) {
    starts = [0];
    for (const l of lines) starts.push(starts[starts.length - 1]! + l.length + 1);
    lineStarts.set(lines, starts);
  }
  // A line past the end counts as empty, as the sum did.
  const i = Math.max(0, line - 1);
  return i < starts.length ? starts[i]! : starts[starts.length - 1]! + (i - starts.length + 1);
}

const FOLLOW_ON = new Set(['BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY']);

/**
 * The column a tab-indented or too shallow line was most likely meant to start at: under a key
 * that opens a block (`labels:`), one level deeper; an item (`- `), with the items above; else
 * with the key on the line above.
 */
function intendedColumn(lines: readonly string[], line: number): number {
  const above = lineAbove(lines, line);
  if (above === undefined) return 1;
  // A value of only an anchor or a tag (`labels: &l`, `x: !!map`) still opens the block below it.
  const opensBlock = /:(?:[ \t]+[&!]\S*)*\s*(#.*)?$/.test(withoutCr(lines[above - 1]));
  if (/^[ \t]*-(?:[ \t]|$)/.test(lines[line - 1] ?? '')) {
    if (opensBlock) return keyColumn(lines, above) + 2;
    for (let l = above; l >= 1; l--) {
      const m = /^( *)-(?: |$)/.exec(lines[l - 1] ?? '');
      if (m) return m[1]!.length + 1;
    }
  }
  return keyColumn(lines, above) + (opensBlock ? 2 : 0);
}

/**
 * yaml's errors for a block scalar line (`|`, `>`) whose indentation holds a tab: "Block scalar
 * values in collections must be indented", "…lines must not be less indented than their first
 * line", "…more-indented leading empty lines must use an explicit indentation indicator" (two
 * of them for one tab). A tab after the spaces that indent the text is text, and no error.
 */
function isBlockScalarTab(e: YAMLError, lines: readonly string[], line: number): boolean {
  return (e.code === 'BAD_INDENT' || e.code === 'MISSING_CHAR') && /^Block scalar/.test(e.message) && /^ *\t/.test(lines[line - 1] ?? '');
}

const BLOCK_HEADER = /(?:^|[:-][ \t])[ \t]*[|>]([1-9]?)[+-]?([1-9]?)[ \t]*(#.*)?$/;

/**
 * A block scalar's line `line` indented with spaces as its text is: as the text line above it,
 * or, for its first line, two spaces (or the indentation indicator's count) deeper than the key.
 */
function blockReindented(lines: readonly string[], line: number): string {
  let above = line - 1;
  while (above >= 1 && /^\s*$/.test(lines[above - 1] ?? '')) above--;
  const text = withoutCr(lines[above - 1]);
  const header = BLOCK_HEADER.exec(text);
  const indent = header ? keyColumn(lines, above) - 1 + Number(header[1] || header[2] || 2) : (/^ */.exec(text)?.[0].length ?? 0);
  return ' '.repeat(indent) + (lines[line - 1] ?? '').replace(/^[ \t]+/, '');
}

/** A value (after `key: ` or `- `) that starts with `quote`, and where its quote starts. */
const QUOTED_VALUE = /^[ \t]*(?:-[ \t]+)*(?:[^#'"\s][^#]*?:[ \t]+)?(?=["'])/;

/**
 * Where the quoted value yaml found unclosed opens: the last line up to `errorLine` whose value
 * starts with `quote` and is not closed on that line. yaml places the error where it gave up,
 * at the end of the line or of the file, and says it in its own words ("Missing closing
 * \"quote"). A quoted value may run over several lines in YAML, but a config value rarely does.
 */
function unclosedQuoteAt(lines: readonly string[], quote: string, errorLine: number): { line: number; col: number } | undefined {
  for (let l = Math.min(errorLine, lines.length); l >= 1; l--) {
    const text = withoutCr(lines[l - 1]);
    const m = QUOTED_VALUE.exec(text);
    if (!m || text[m[0].length] !== quote) continue;
    const rest = text.slice(m[0].length + 1);
    const closed = quote === '"' ? /^(?:[^"\\]|\\.)*"/.test(rest) : /^(?:[^']|'')*'(?!')/.test(rest);
    if (!closed) return { line: l, col: m[0].length + 1 };
  }
  return undefined;
}

/**
 * Where a quoted value left open on line `open.line` closes, when a later line closes it: the
 * first unescaped quote after the opening one, followed only by a comment or the end of its line
 * (a quote followed by more text opens the next value: the value is then never closed), with no
 * `key: ` line in between. And the first line of it not indented deeper than its key, with
 * spaces: what made yaml give up, though the value is closed.
 */
function closedLaterAt(lines: readonly string[], quote: string, open: { line: number; col: number }): { closes: number; bad: number; tab: boolean } | undefined {
  const keyCol = keyColumn(lines, open.line);
  let bad: { line: number; tab: boolean } | undefined;
  for (let l = open.line; l <= lines.length; l++) {
    const text = withoutCr(lines[l - 1]);
    let i = l === open.line ? open.col : 0;
    if (l > open.line && !/^\s*$/.test(text)) {
      const spaces = /^ */.exec(text)![0].length;
      if (!bad && (text[spaces] === '\t' || spaces < keyCol)) bad = { line: l, tab: text[spaces] === '\t' };
      if (/^[ \t]*(?:-[ \t]+)*[^\s#'"][^#'"]*?:(?:[ \t]|$)/.test(text)) return undefined;
    }
    for (; i < text.length; i++) {
      if (quote === '"' && text[i] === '\\') i++;
      else if (quote === "'" && text[i] === "'" && text[i + 1] === "'") i++;
      else if (text[i] === quote) {
        if (l === open.line || !/^[ \t]*(?:#.*)?$/.test(text.slice(i + 1)) || !bad) return undefined;
        return { closes: l, bad: bad.line, tab: bad.tab };
      }
    }
  }
  return undefined;
}

/** A quoted value opened at `open` and closed on `later.closes`, whose line `later.bad` is indented too little or with a tab: one error there. */
function runOnReport(lines: readonly string[], q: string, open: { line: number; col: number }, later: { closes: number; bad: number; tab: boolean }): Explained {
  const keyCol = keyColumn(lines, open.line);
  const text = lines[later.bad - 1] ?? '';
  const col = later.tab ? 1 : keyColumn(lines, later.bad);
  const where = `a quoted value runs on to this line (its ${q} opens on line ${open.line} and closes on line ${later.closes}), which`;
  return {
    line: later.bad,
    offset: lineStart(lines, later.bad) + col - 1,
    message: later.tab
      ? `${where} a tab indents: YAML indents with spaces only; start this line after column ${keyCol} with spaces, or keep the value on one line`
      : `${where} starts at column ${col}, not deeper than its key on line ${open.line} (column ${keyCol}): YAML ends the value's lines there; start this line after column ${keyCol} (indent with spaces), or keep the value on one line`,
    repaired: ' '.repeat(keyCol + 1) + text.replace(/^[ \t]+/, ''),
  };
}

/**
 * The run-on report for `line` when the line above it ends in an escaped quote (`\"`, `''`) of a
 * quoted value still open there. yaml ends a quoted value cut short by an unindent at the last
 * character before the line break; an escaped quote there passes for the closing one, so yaml
 * says no "Missing closing quote" but "Implicit keys need to be on a single line" or "All mapping
 * items must start at the same column" at `line`, as if `again"` were a key.
 */
function escapedQuoteRunOn(lines: readonly string[], line: number): Explained | undefined {
  let above = line - 1;
  while (above >= 1 && /^\s*$/.test(lines[above - 1] ?? '')) above--;
  const end = withoutCr(lines[above - 1]).trimEnd();
  // A quote after an odd run of backslashes is escaped; after an even one (`C:\\"`) it closes the value.
  const q = /(?:^|[^\\])(?:\\\\)*\\"$/.test(end) ? '"' : end.endsWith("''") ? "'" : undefined;
  if (q === undefined) return undefined;
  const open = unclosedQuoteAt(lines, q, above);
  const later = open && closedLaterAt(lines, q, open);
  return open && later && later.bad === line ? runOnReport(lines, q, open, later) : undefined;
}

function reindented(lines: readonly string[], line: number): string {
  return ' '.repeat(intendedColumn(lines, line) - 1) + (lines[line - 1] ?? '').replace(/^[ \t]+/, '');
}

/**
 * At most this many lines are re-indented to read on (each time the file is parsed again): a
 * file indented with tabs throughout is told of its first ones, and nothing after them.
 */
const MAX_REINDENTS = 20;
/** And only while the text parsed again stays under this many characters in all: a big file is told of its first slips. */
const REPARSE_BUDGET_CHARS = 2_000_000;

/**
 * Reports for `errors` (yaml's, of `text`): a mis-indented line as one error at that line; a
 * tab used as indentation without the follow-on errors it causes; anything else as yaml words it.
 *
 * A tab or a line too shallow throws yaml off for the rest of its block, so the lines below it
 * got errors of their own that were no mistakes. Such a line is reported, re-indented where it
 * was most likely meant to be, and the text parsed again for the errors below it: every slip of
 * the file is reported, each once.
 */
export function explainYamlErrors(
  text: string,
  errors: readonly YAMLError[],
  lineCounter: LineCounter,
  /** Given the text with every reported line re-indented as meant, when that text parses without errors. */
  onReadOn?: (reindentedText: string) => void,
): YamlErrorReport[] {
  // Lines keep a CRLF file's \r, so that offsets computed from their lengths stay right.
  const original = text.split('\n');
  const out: YamlErrorReport[] = [];
  let lines = original;
  let current = { errors, lineCounter };
  let after = 0;
  for (let round = 0; ; round++) {
    const explained = explainOnce(lines, current.errors, current.lineCounter).filter((e) => e.line > after);
    const derailed = explained.findIndex((e) => e.repaired !== undefined);
    const kept = derailed < 0 ? explained : explained.slice(0, derailed + 1);
    // Offsets into the original text: only lines already reported were re-indented.
    for (const e of kept) {
      const col = e.offset - lineStart(lines, e.line);
      out.push({ offset: lineStart(original, e.line) + col, message: e.message });
    }
    const fault = kept[kept.length - 1];
    // Every error was a line indented otherwise than meant: the rest of the file can be checked as re-indented.
    if (derailed < 0 && round > 0 && current.errors.length === 0) onReadOn?.(lines.join('\n'));
    if (derailed < 0 || round === MAX_REINDENTS || (round + 1) * text.length > REPARSE_BUDGET_CHARS || fault?.repaired === undefined) return out;
    lines = lines.map((l, i) => (i === fault.line - 1 ? fault.repaired! : l));
    after = fault.line;
    const lc = new LineCounter();
    current = { errors: parseDocument(lines.join('\n'), { lineCounter: lc, prettyErrors: false, uniqueKeys: true }).errors, lineCounter: lc };
  }
}

function explainOnce(lines: readonly string[], errors: readonly YAMLError[], lineCounter: LineCounter): Explained[] {
  const out: Explained[] = [];
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  // A line whose indentation is already reported explains the follow-on errors on it.
  const explainedLines = new Set(errors.filter((e) => e.code === 'BAD_INDENT' || e.code === 'TAB_AS_INDENT').map((e) => lineOf(e.pos[0])));
  const seen = new Set<number>();
  for (const e of errors) {
    const line = lineOf(e.pos[0]);
    if (isBlockScalarTab(e, lines, line)) {
      // One report for the tab, however many errors yaml gives for it.
      if (out.some((o) => o.line === line)) continue;
      const tab = (lines[line - 1] ?? '').indexOf('\t');
      out.push({ line, offset: lineStart(lines, line) + tab, message: 'a tab is used as indentation in the text of a block scalar (| or >): YAML indents with spaces only; replace the tab with spaces', repaired: blockReindented(lines, line) });
      continue;
    }
    const runOn = escapedQuoteRunOn(lines, line);
    if (runOn) {
      if (!out.some((o) => o.line === line)) out.push(runOn);
      continue;
    }
    if (FOLLOW_ON.has(e.code) && explainedLines.has(line)) continue;
    // A key one column short of its map's is no item of the list it is in ("Sequence item
    // without - indicator"): the same slip as a key further out.
    const shortKey = e.code === 'MISSING_CHAR' && /^Sequence item without - indicator/.test(e.message) && !/^ *-/.test(lines[line - 1] ?? '');
    if ((e.code === 'BAD_INDENT' && /must start at the same column/.test(e.message)) || shortKey) {
      const above = lineAbove(lines, line);
      const col = keyColumn(lines, line);
      const want = above === undefined ? undefined : keyColumn(lines, above);
      const key = /^[ -]*([^:#]*)/.exec(lines[line - 1] ?? '')?.[1]?.trim() ?? '';
      // A key pasted from a secret (a routing key, `SLACK_TOKEN=xoxb-…`) is named by its shape,
      // never quoted: this message goes to CI logs like any other.
      const shape = secretShapeIn(key);
      const which = shape ? `a key that looks like ${shape} (not shown here)` : `"${key}"`;
      out.push({
        line,
        offset: lineStart(lines, line) + col - 1,
        message: `bad indentation: ${which} starts at column ${col}, ${want !== undefined && want !== col ? `but the key on line ${above} starts at column ${want}` : 'not at the column of the other keys of its map'}: keys of one map start at the same column (indent with spaces)`,
        repaired: reindented(lines, line),
      });
      continue;
    }
    if (FOLLOW_ON.has(e.code)) {
      // yaml's range runs from the value on the line above to the end of the deeper line.
      const deeper = lineOf(Math.max(e.pos[0], e.pos[1] - 1));
      if (deeper === line || seen.has(deeper)) continue;
      seen.add(deeper);
      const col = keyColumn(lines, deeper);
      const want = keyColumn(lines, line);
      if (col <= want) {
        // Not deeper: the parser is still off track from an indentation error reported above.
        if (out.length === 0) out.push({ line, offset: e.pos[0], message: e.message.split('\n')[0] ?? e.message });
        continue;
      }
      out.push({
        line: deeper,
        offset: lineStart(lines, deeper) + col - 1,
        message: `bad indentation: this line starts at column ${col}, deeper than the key on line ${line} (column ${want}), so YAML reads it as more of that key's value; start it at column ${want} (a value of several lines holding ": " needs a block scalar, |)`,
        repaired: ' '.repeat(want - 1) + (lines[deeper - 1] ?? '').replace(/^[ \t]+/, ''),
      });
      continue;
    }
    if (e.code === 'TAB_AS_INDENT') {
      out.push({ line, offset: e.pos[0], message: 'a tab is used as indentation: YAML indents with spaces only; replace the tab with spaces', repaired: reindented(lines, line) });
      continue;
    }
    const unclosed = e.code === 'MISSING_CHAR' ? /^Missing closing (["'])quote/.exec(e.message) : null;
    if (unclosed) {
      const open = unclosedQuoteAt(lines, unclosed[1]!, line);
      const q = unclosed[1]!;
      const later = open && closedLaterAt(lines, q, open);
      if (open && later) {
        out.push(runOnReport(lines, q, open, later));
        continue;
      }
      if (open) {
        out.push({ line: open.line, offset: lineStart(lines, open.line) + open.col - 1, message: `a quoted value is not closed: this ${q} has no closing ${q} on its line, so YAML reads the lines below as more of the value; add the closing ${q}` });
        continue;
      }
    }
    if (e.code === 'MULTIPLE_DOCS') {
      // yaml's words ("please use YAML.parseAllDocuments()") are for the programmer calling it.
      out.push({ line, offset: e.pos[0], message: 'a second YAML document starts here ("---"): a team file is one document; remove this line (another team\'s config goes in a file of its own)' });
      continue;
    }
    out.push({ line, offset: e.pos[0], message: e.message.split('\n')[0] ?? e.message });
  }
  return out;
}

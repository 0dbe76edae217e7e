/**
 * @module config/yaml-error-hints
 * `yaml`'s errors for a mis-indented line, reworded for the author of a config file. A line
 * indented one space too deep or too shallow gives two or three errors in the parser's terms
 * ("Implicit keys need to be on a single line", "Nested mappings are not allowed in compact
 * mappings"), placed at the value on the line above; here it is one error, at the line at fault,
 * saying which column its key should start at.
 */
import type { LineCounter, YAMLError } from 'yaml';

export interface YamlErrorReport {
  offset: number;
  message: string;
}

/** 1-based column of the first key of line `line` (after leading spaces and `- ` item markers). */
function keyColumn(lines: readonly string[], line: number): number {
  return (/^(?:[ ]*-[ ]+)*[ ]*/.exec(lines[line - 1] ?? '')?.[0].length ?? 0) + 1;
}

/** The nearest line above `line` that holds something (not blank, not only a comment). */
function lineAbove(lines: readonly string[], line: number): number | undefined {
  for (let l = line - 1; l >= 1; l--) if (!/^\s*(#.*)?$/.test(lines[l - 1] ?? '')) return l;
  return undefined;
}

function lineStart(lines: readonly string[], line: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) offset += (lines[l - 1] ?? '').length + 1;
  return offset;
}

const FOLLOW_ON = new Set(['BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY']);

/**
 * Reports for `errors` (yaml's, of `text`): a mis-indented line as one error at that line; a
 * tab used as indentation without the follow-on errors it causes; anything else as yaml words it.
 */
export function explainYamlErrors(text: string, errors: readonly YAMLError[], lineCounter: LineCounter): YamlErrorReport[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const out: YamlErrorReport[] = [];
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  // A line whose indentation is already reported explains the follow-on errors on it.
  const explainedLines = new Set(errors.filter((e) => e.code === 'BAD_INDENT' || e.code === 'TAB_AS_INDENT').map((e) => lineOf(e.pos[0])));
  const seen = new Set<number>();
  for (const e of errors) {
    const line = lineOf(e.pos[0]);
    if (FOLLOW_ON.has(e.code) && explainedLines.has(line)) continue;
    if (e.code === 'BAD_INDENT' && /must start at the same column/.test(e.message)) {
      const above = lineAbove(lines, line);
      const col = keyColumn(lines, line);
      const want = above === undefined ? undefined : keyColumn(lines, above);
      const key = /^[ -]*([^:#]*)/.exec(lines[line - 1] ?? '')?.[1]?.trim() ?? '';
      out.push({
        offset: lineStart(lines, line) + col - 1,
        message: `bad indentation: "${key}" starts at column ${col}, ${want !== undefined && want !== col ? `but the key on line ${above} starts at column ${want}` : 'not at the column of the other keys of its map'}: keys of one map start at the same column (indent with spaces)`,
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
        if (out.length === 0) out.push({ offset: e.pos[0], message: e.message.split('\n')[0] ?? e.message });
        continue;
      }
      out.push({
        offset: lineStart(lines, deeper) + col - 1,
        message: `bad indentation: this line starts at column ${col}, deeper than the key on line ${line} (column ${want}), so YAML reads it as more of that key's value; start it at column ${want} (a value of several lines holding ": " needs a block scalar, |)`,
      });
      continue;
    }
    if (e.code === 'TAB_AS_INDENT') {
      out.push({ offset: e.pos[0], message: 'a tab is used as indentation: YAML indents with spaces only; replace the tab with spaces' });
      continue;
    }
    out.push({ offset: e.pos[0], message: e.message.split('\n')[0] ?? e.message });
  }
  return out;
}

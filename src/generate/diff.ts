/**
 * @module generate/diff
 * A small line-based unified diff (the format of `diff -u` and `git diff`), enough for
 * `generate --check` to show what would change. Common prefix and suffix are trimmed first, so
 * the quadratic LCS only runs over the changed middle, which is small for real edits.
 */

import { printable } from '../config/source-error.js';

const CONTEXT = 3;
/** Above this many LCS cells the middle is shown as one replacement instead (still a valid diff). */
const MAX_CELLS = 16_000_000;

type Op = { kind: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function editScript(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const ops: Op[] = a.slice(0, pre).map((line) => ({ kind: ' ', line }));
  ops.push(...middle(am, bm));
  ops.push(...a.slice(a.length - suf).map((line) => ({ kind: ' ' as const, line })));
  return ops;
}

function middle(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_CELLS || n === 0 || m === 0) {
    return [...a.map((line) => ({ kind: '-' as const, line })), ...b.map((line) => ({ kind: '+' as const, line }))];
  }
  // lcs[i][j] = LCS length of a[i..] and b[j..], flattened.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = a[i] === b[j] ? lcs[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i]! });
      i++;
      j++;
    } else if (lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!) {
      ops.push({ kind: '-', line: a[i++]! });
    } else {
      ops.push({ kind: '+', line: b[j++]! });
    }
  }
  while (i < n) ops.push({ kind: '-', line: a[i++]! });
  while (j < m) ops.push({ kind: '+', line: b[j++]! });
  return ops;
}

/**
 * Unified diff of `before` → `after`; '' when they are equal. Pass `/dev/null` as a label for a
 * created or deleted file, as diff and git do.
 */
export function unifiedDiff(before: string, after: string, fromLabel: string, toLabel: string): string {
  if (before === after) return '';
  const ops = editScript(splitLines(before), splitLines(after));
  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`];
  // Group changes whose context windows touch into hunks.
  const changed = ops.map((o, k) => (o.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  if (changed.length === 0) {
    // Only the final newline differs.
    out.push('@@ -1 +1 @@', '\\ No newline at end of file');
    return `${out.join('\n')}\n`;
  }
  let h = 0;
  while (h < changed.length) {
    let end = h;
    while (end + 1 < changed.length && changed[end + 1]! - changed[end]! <= 2 * CONTEXT) end++;
    const from = Math.max(0, changed[h]! - CONTEXT);
    const to = Math.min(ops.length, changed[end]! + CONTEXT + 1);
    // Line numbers: count old/new lines before `from`.
    let oldStart = 1;
    let newStart = 1;
    for (let k = 0; k < from; k++) {
      if (ops[k]!.kind !== '+') oldStart++;
      if (ops[k]!.kind !== '-') newStart++;
    }
    const hunk = ops.slice(from, to);
    const oldLen = hunk.filter((o) => o.kind !== '+').length;
    const newLen = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${range(oldStart, oldLen)} +${range(newStart, newLen)} @@`);
    for (const o of hunk) out.push(`${o.kind}${shown(o.line)}`);
    h = end + 1;
  }
  return `${out.join('\n')}\n`;
}

/**
 * A line as the diff prints it. `generate --check` runs in CI, and the lines are a team's text (a
 * multi-line description is a YAML block, one raw line per line). The GitHub Actions runner reads
 * a line as a workflow command when it starts with `::` once leading whitespace is trimmed (so a
 * context line, " " + indentation + "::error …", would be one), or holds `##[` anywhere (its older
 * form); it also splits lines at a carriage return. So unprintable characters are escaped
 * and every `##[` written `#\u0023[` (`printable`), and so is the first `:` of a leading `::`
 * (`\u003a:`): visible, so the reader sees the line was escaped and what it holds.
 */
function shown(line: string): string {
  const text = printable(line);
  const lead = text.length - text.trimStart().length;
  return text.startsWith('::', lead) ? `${text.slice(0, lead)}\\u003a${text.slice(lead + 1)}` : text;
}

function range(start: number, len: number): string {
  // diff -u convention: an empty range names the line before it.
  if (len === 0) return `${start - 1},0`;
  return len === 1 ? `${start}` : `${start},${len}`;
}

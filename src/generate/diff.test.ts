import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.js';

/** Applies a unified diff strictly (context and removed lines must match at the stated line numbers). */
function applyUnifiedDiff(before: string, diff: string): string {
  const src = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let pos = 0; // next unconsumed line of src (0-based)
  const lines = diff.replace(/\n$/, '').split('\n').slice(2);
  for (let i = 0; i < lines.length; ) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(lines[i]!);
    if (!m) throw new Error(`bad hunk header: ${lines[i]}`);
    const oldStart = Number(m[1]);
    const oldLen = m[2] === undefined ? 1 : Number(m[2]);
    const start = oldLen === 0 ? oldStart : oldStart - 1;
    while (pos < start) out.push(src[pos++]!);
    i++;
    let seenOld = 0;
    while (i < lines.length && !lines[i]!.startsWith('@@')) {
      const l = lines[i++]!;
      const body = l.slice(1);
      if (l[0] === '+') out.push(body);
      else {
        if (src[pos] !== body) throw new Error(`context mismatch at line ${pos + 1}: ${JSON.stringify(src[pos])} vs ${JSON.stringify(body)}`);
        if (l[0] === ' ') out.push(body);
        pos++;
        seenOld++;
      }
    }
    if (seenOld !== oldLen) throw new Error(`hunk claims ${oldLen} old lines, has ${seenOld}`);
  }
  while (pos < src.length) out.push(src[pos++]!);
  return out.length ? `${out.join('\n')}\n` : '';
}

const text = (n: number, f: (i: number) => string = (i) => `line ${i}`) => Array.from({ length: n }, (_, i) => `${f(i + 1)}\n`).join('');

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'a/x', 'b/x')).toBe('');
  });

  it('shows one changed line with three lines of context, like diff -u', () => {
    const before = text(10);
    const after = before.replace('line 5\n', 'line five\n');
    expect(unifiedDiff(before, after, 'a/f.yaml', 'b/f.yaml')).toBe(
      ['--- a/f.yaml', '+++ b/f.yaml', '@@ -2,7 +2,7 @@', ' line 2', ' line 3', ' line 4', '-line 5', '+line five', ' line 6', ' line 7', ' line 8', ''].join('\n'),
    );
  });

  it('writes created and deleted files against /dev/null', () => {
    expect(unifiedDiff('', 'a\nb\n', '/dev/null', 'b/new.yaml')).toBe('--- /dev/null\n+++ b/new.yaml\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedDiff('a\n', '', 'a/old.yaml', '/dev/null')).toBe('--- a/old.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n');
  });

  it('splits distant changes into separate hunks', () => {
    const before = text(40);
    const after = before.replace('line 3\n', 'x\n').replace('line 30\n', '');
    const d = unifiedDiff(before, after, 'a', 'b');
    expect(d.match(/^@@/gm)).toHaveLength(2);
    expect(d).toContain('@@ -27,7 +27,6 @@');
  });

  it.each([
    ['insertions at the start', (t: string) => `new 1\nnew 2\n${t}`],
    ['deletions at the end', (t: string) => t.split('\n').slice(0, 20).join('\n') + '\n'],
    ['interleaved edits', (t: string) => t.replace(/line (\d*[37])\n/g, 'edited $1\n').replace('line 12\n', 'line 12\nextra\n')],
    ['everything replaced', () => text(5, (i) => `other ${i}`)],
  ])('produces a diff that applies back exactly: %s', (_what, edit) => {
    const before = text(30);
    const after = edit(before);
    expect(applyUnifiedDiff(before, unifiedDiff(before, after, 'a', 'b'))).toBe(after);
  });
});

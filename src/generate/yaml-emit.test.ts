import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stringifyQuotingAmbiguous } from './yaml-ambiguous.js';
import { emitYaml } from './yaml-emit.js';

/** Reads `text` back under YAML 1.2 and YAML 1.1 (kubectl's), the same value both times or undefined. */
function readBack(text: string): unknown {
  const v12 = parse(text) as unknown;
  return isDeepStrictEqual(parse(text, { version: '1.1' }), v12) ? v12 : undefined;
}

/** Strings that exercise every branch of yaml's scalar styles. */
const TRICKY = [
  '', ' ', 'plain', 'two words', 'a: b', 'a:b', 'ends:', 'ends ', ' starts', '#hash', 'a #b', 'a#b', '- x', '-', '?', '? x', '-x',
  'true', 'True', 'TRUE', 'false', 'yes', 'no', 'null', 'Null', '~', '1', '-1', '+1', '0o17', '0x1F', '1.5', '.5', '1e3', '1.2e-3',
  '.inf', '-.Inf', '.nan', '0.001', '007', '1_000', '"quoted"', "it's", `both " and '`, '%percent', '---', '--- x', '...', 'a\n---',
  '@at', '`tick', '|pipe', '>gt', '!bang', '&amp', '*star', '[x]', '{x}', 'x,y', 'tab\there', 'back\\slash', 'ctl\u0001x', 'bell\u0007',
  'del\u007f', 'nbsp\u00a0x', 'line\u2028sep', 'emoji 😀', 'lone \ud800 surrogate', 'https://runbooks.example/x?y=1#z',
  'sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m])) > 0.05',
  'line one\nline two', 'trailing newline\n', 'two trailing\n\n', 'only\n', '\nleading newline', '  indented\nblock', 'blank\n\nline',
  'space before \nbreak', 'break\n after', 'tabs\n\tx', 'ends in spaces\n  ', 'a\n#b', 'x\n- y', 'x\n---\ny', '\n', '\n\n', ' \n',
  'a long line without breaks that is longer than forty characters in total',
  'a long line with a break that is longer than forty characters\nin total', 'long with ctl \u0001 and a break that is long\nyes',
  // YAML 1.1 only: booleans, base 60, 0-prefixed octal, binary, timestamps, merge and value keys
  'y', 'Y', 'n', 'N', 'Yes', 'YES', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', '1:20', '-1:20', '190:20:30.15', '0777', '0b101',
  '+0x1F', '1.', '1_0.5', 'e3', '.', '2024-01-31', '2001-12-14 21:59:43.10 -5', '<<', '=', 'yesterday', 'only', 'nope', '1:60', '12:30 x',
  `{\n  "uid": "ag-123",\n  "title": "Payments / Checkout",\n  "panels": []\n}\n`,
  // What Go's YAML reader (promtool, kubectl) refuses or reads as a line break: see GO_REFUSES below.
  ...goUnsafeStrings(),
];

/**
 * Characters go-yaml refuses anywhere in a document ("control characters are not allowed":
 * U+007F–U+0084, U+0086–U+009F, U+FFFE, U+FFFF) or reads as a line break wherever they stand
 * (U+0085, U+2028, U+2029), even inside quotes: written raw, promtool and kubectl cannot read the
 * file or read another string. JavaScript's YAML parsers (the readBack above) accept them all.
 */
const GO_REFUSES = /[\x7f-\x9f\u2028\u2029\ufffe\uffff]/;

function goUnsafeStrings(): string[] {
  const chars = ['\x7f', '\x80', '\x84', '\x85', '\x86', '\x9f', '\u2028', '\u2029', '\ufffe', '\uffff'];
  return [
    ...chars.flatMap((c) => [c, `a${c}b`, `${c} x`, `x ${c}`, `true${c}`]),
    'line one\u2028line two',
    'all \x85\u2028\u2029\ufffe\uffff of them',
    `it's "both" \u2029`,
    'a long line with U+2028 \u2028 and a break that is longer than forty characters\nnext line\n',
    `{\n  "title": "Main\u2028board \x85"\n}\n`,
  ];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Random strings over the characters yaml treats specially. */
function randomStrings(n: number): string[] {
  const alphabet = ['a', 'b', ' ', ' ', '\n', '\t', ':', '#', '-', '?', '"', "'", '%', '0', '1', '.', 'e', '\\', '\u0001', '|', '{', ',', '~', 'x'];
  const next = rng(42);
  return Array.from({ length: n }, () => Array.from({ length: Math.floor(next() * 10) }, () => alphabet[Math.floor(next() * alphabet.length)]!).join(''));
}

function shapes(s: string): unknown[] {
  return [
    { key: s },
    { [s]: 'value' },
    { outer: { [s]: s, list: [s, { inner: s }] } },
    { list: [s, [s], { [s]: [s] }] },
    { deep: { deeper: [{ deepest: { [s]: s } }] } },
  ];
}

describe('emitYaml', () => {
  it('writes exactly what yaml.stringify (quoting for YAML 1.1 too) writes, for tricky and random strings as keys and values at every depth', () => {
    const strings = [...TRICKY, ...randomStrings(600)];
    const problems: string[] = [];
    const libraryWrong = new Set<string>();
    let compared = 0;
    for (const s of strings) {
      for (const value of shapes(s)) {
        const ours = emitYaml(value);
        // Only the rare shapes yaml writes with explicit keys may fall back; strings never do.
        if (ours === undefined) problems.push(`fell back: ${JSON.stringify(value)}`);
        else if (!isDeepStrictEqual(readBack(ours), value)) problems.push(`does not read back: ${JSON.stringify(value)} → ${JSON.stringify(ours)}`);
        else {
          compared++;
          const theirs = stringifyQuotingAmbiguous(value);
          // Identical wherever the library itself is right (see the module note for where it is not).
          if (!isDeepStrictEqual(readBack(theirs), value)) libraryWrong.add(s);
          else if (ours !== theirs) problems.push(`differs: ${JSON.stringify(value)}: ours ${JSON.stringify(ours)}, yaml ${JSON.stringify(theirs)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(compared).toBe(strings.length * 5);
    // Multi-line strings of only blanks and line breaks are the only ones the library gets wrong.
    expect(libraryWrong.size).toBeGreaterThan(0);
    for (const wrong of libraryWrong) expect(wrong).toMatch(/^(?=.*[ \t])[ \t\n]*\n[ \t\n]*$/s);
  });

  it('escapes what Go\'s YAML reader refuses or reads as a line break, in keys and values at every depth, in both emitters', () => {
    const raw: string[] = [];
    for (const s of goUnsafeStrings()) {
      for (const value of shapes(s)) {
        for (const [who, text] of [['ours', emitYaml(value)], ['reference', stringifyQuotingAmbiguous(value)]] as const) {
          if (text === undefined || GO_REFUSES.test(text)) raw.push(`${who}: ${JSON.stringify(value)} → ${JSON.stringify(text)}`);
          else expect(readBack(text)).toEqual(value);
        }
      }
    }
    expect(raw).toEqual([]);
  });

  it('writes numbers, booleans, null, empty collections and skips undefined map values like yaml', () => {
    const value = {
      n: 1,
      f: 0.001,
      neg: -2.5,
      big: 1e21,
      yes: true,
      no: false,
      nothing: null,
      skipped: undefined,
      emptyMap: {},
      emptyList: [],
      allUndefined: { a: undefined },
      nested: [[], {}, [1, [2, 3]], { a: [] }],
    };
    expect(emitYaml(value)).toBe(stringifyQuotingAmbiguous(value));
  });

  it('answers undefined for what it does not port, so callers fall back to the library', () => {
    expect(emitYaml({ when: new Date(0) })).toBeUndefined();
    expect(emitYaml({ list: [undefined] })).toBeUndefined();
    expect(emitYaml({ n: Number.NaN })).toBeUndefined();
    expect(emitYaml({ ['k'.repeat(2000)]: 'v' })).toBeUndefined();
  });
});

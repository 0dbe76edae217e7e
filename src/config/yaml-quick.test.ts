/**
 * The quick reading (yaml-quick.ts) against `yaml`, the reference: whenever it gives a value,
 * `yaml` reads the same text without an error or a warning, to the same value. Checked on
 * generated documents, on mutations of them and on random lines (indentation, flow
 * collections, quoting, comments, CRLF), and on every YAML file of this repository; and on the
 * cases the fuzzing found where the two disagree, which must be left to `yaml`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { fastestRunMs } from '../../test/support/timing.js';
import { NOT_QUICK, quickYamlValue } from './yaml-quick.js';

const RUNS = 60_000;

/** `yaml`'s reading: its value, or what it objects to. */
function yamlReading(text: string): { value?: unknown; objection?: string } {
  const doc = parseDocument(text, { lineCounter: new LineCounter(), prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first) return { objection: `${first.code}: ${first.message.split('\n')[0]}` };
  try {
    // toJS warns on the process about collection keys; those documents are never read quickly.
    return { value: doc.toJS() };
  } catch (err) {
    return { objection: String(err) };
  }
}

/** Passes when the quick reading gives up or agrees with `yaml`; returns whether it read the text. */
function agreesWithYaml(text: string): boolean {
  const quick = quickYamlValue(text);
  if (quick === NOT_QUICK) return false;
  const reference = yamlReading(text);
  expect(reference.objection, JSON.stringify(text)).toBeUndefined();
  expect(isDeepStrictEqual(quick, reference.value), `${JSON.stringify(text)}: ${JSON.stringify(quick)} vs ${JSON.stringify(reference.value)}`).toBe(true);
  return true;
}

// Scalars that resolve differently between YAML versions and libraries, and PromQL-ish text.
const plain = fc.constantFrom(
  '1', '0o7', '0o8', '0x1F', '0x', '1_000', '.5', '1.', '-.inf', '.NaN', '.nan', 'NaN', 'true', 'True', 'TRUE', 'tRue', 'yes',
  'no', 'on', 'off', 'y', '~', 'null', 'Null', 'NULL', '2026-01-01', '2026-01-01T00:00:00Z', '1:20', '0b101', '+12', '-0', '+0',
  '-0x1F', '+.5', '1e3', '1E+3', '.5e3', '-1.5e-3', '012', '1.0', '99.9', 'a', 'foo bar', 'a: b', 'a:b', 'a #b', 'a#b', '!= "x"',
  'up{job="x"} == 0', 'rate(x[5m])', '@x', '`x', '%x', '- x', '? x', 'x?', 'x -', '-x', 'a,b', 'a]', 'a}', '1/2',
  'http://x?a=1&b=2', '10m', 'https://r.example/a', '"', "'", 'a "b"', "a 'b'", ' ', '', 'x  y', 'é', '\u2028', '\ufeff',
);
const doubleQuoted = fc
  .string({ unit: fc.constantFrom('a', ' ', '\\n', '\\t', '\\"', '\\\\', '\\x41', '\\u00e9', '\\ ', '\\/', '\\0', '\\e', '\\N', '\\_', '\\L', '\\P', '#', ':', '\\', '\\q', '\n', '\n\n', '\t'), maxLength: 8 })
  .map((s) => `"${s}"`);
const singleQuoted = fc.string({ unit: fc.constantFrom('a', ' ', "''", '#', ':', '\\', '\n', '\n\n', '\t', '"'), maxLength: 8 }).map((s) => `'${s}'`);
const key = fc.constantFrom('a', 'b', 'team', 'expr', 'labels', '1', 'true', 'null', '~', '"q"', "'s'", 'a b', 'x.y', 'k-1', '? x', '<<', '__proto__', 'a:b');

/** A node rendered at an indentation. */
type Render = (indent: number) => string;
const blockLine = fc.constantFrom('a', 'b c', '', ' ', '  ', '   x', '\tx', 'x ', '# c', '- x', 'k: v', 'sum(rate(x[5m]))', '  more', '      deep');
const blockScalar: fc.Arbitrary<Render> = fc
  .tuple(fc.constantFrom('|', '>', '|-', '>-', '|+', '>+', '|2', '>1', '|-2', '|2-', '| # c', '>  '), fc.array(blockLine, { maxLength: 5 }), fc.constantFrom(2, 3, 4))
  .map(([header, lines, extra]) => (indent) => `${header}\n${lines.map((l) => (l === '' ? '' : ' '.repeat(indent + extra) + l)).join('\n')}`);
const scalar: fc.Arbitrary<Render> = fc.oneof(plain.map((p) => () => p), doubleQuoted.map((p) => () => p), singleQuoted.map((p) => () => p), blockScalar);
const flow: fc.Arbitrary<Render> = fc
  .tuple(fc.array(fc.oneof(plain, doubleQuoted, singleQuoted), { maxLength: 4 }), fc.constantFrom('[', '{'), fc.constantFrom(', ', ',', ',\n ', ' ,', ',\n'))
  .map(([items, open, sep]) => () => (open === '[' ? `[${items.join(sep)}]` : `{${items.map((x, i) => `k${i}: ${x}`).join(sep)}}`));
const node: fc.Memo<Render> = fc.memo((depth) =>
  depth <= 1
    ? fc.oneof(scalar, flow)
    : fc.oneof(
        { weight: 3, arbitrary: scalar },
        { weight: 1, arbitrary: flow },
        {
          weight: 2,
          arbitrary: fc
            .array(fc.tuple(key, node(depth - 1), fc.constantFrom('', ' # c', '  ')), { minLength: 1, maxLength: 4 })
            .map((pairs) => (indent: number) => '\n' + pairs.map(([k, v, c]) => `${' '.repeat(indent)}${k}: ${v(indent + 2)}${c}`).join('\n')),
        },
        {
          weight: 2,
          arbitrary: fc
            .array(node(depth - 1), { minLength: 1, maxLength: 3 })
            .map((items) => (indent: number) => '\n' + items.map((v) => `${' '.repeat(indent)}- ${v(indent + 2)}`).join('\n')),
        },
      ),
);
const document = fc.array(fc.tuple(key, node(4)), { minLength: 1, maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${k}: ${v(2)}`).join('\n') + '\n');
const mutated = fc
  .tuple(
    document,
    fc.array(
      fc.tuple(fc.nat(), fc.constantFrom(' ', '  ', '\t', ':', '-', '#', '"', "'", '|', '>', '[', ']', '{', '}', ',', '\n', '?', '*', '&', '!', '%', '@', '`', '\\', 'x', ': ', '- ', '\n  ', '\n- ', '...', '---'), fc.boolean()),
      { maxLength: 3 },
    ),
  )
  .map(([text, edits]) => edits.reduce((s, [at, insert, replace]) => {
    const i = at % (s.length + 1);
    return s.slice(0, i) + insert + s.slice(i + (replace ? 1 : 0));
  }, text));
const line = fc
  .tuple(
    fc.integer({ min: 0, max: 6 }),
    fc.oneof(
      fc.tuple(key, fc.oneof(plain, doubleQuoted, singleQuoted)).map(([k, v]) => `${k}: ${v}`),
      key.map((k) => `${k}:`),
      plain.map((v) => `- ${v}`),
      fc.tuple(key, plain).map(([k, v]) => `- ${k}: ${v}`),
      key.map((k) => `- ${k}:`),
      fc.constantFrom(
        '-', '- -', '- - x', '# c', '', 'x', 'more text', 'k: |', 'k: >', 'k: |-', '- |', 'k: [a, b]', 'k: {a: 1, b}', 'k: [a: b]',
        'k: [a, [b, c]]', `k: {'a': "b"}`, 'a : b', 'k: "multi', 'line"', "k: 'multi", "line'", 'k: x # c', 'k:  # c', '---',
        'k: - x', 'k: x:', 'k: "v" ', 'k:\tv', 'k: a\tb',
      ),
      plain,
    ),
  )
  .map(([indent, text]) => ' '.repeat(indent) + text);
const lines = fc
  .tuple(fc.array(line, { minLength: 1, maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([ls, eol, bom]) => (bom ? '\ufeff' : '') + ls.join(eol) + eol);

describe('quick YAML reading', () => {
  it(`${RUNS} generated, mutated and random-line documents: read as yaml reads them, or left to yaml`, () => {
    let read = 0;
    fc.assert(
      fc.property(fc.oneof(document, mutated, lines, lines), (text) => {
        if (agreesWithYaml(text)) read++;
      }),
      { numRuns: RUNS },
    );
    // Most generated documents are invalid or use what is left to yaml; enough must be read.
    expect(read).toBeGreaterThan(RUNS / 50);
  });

  it("reads this repository's YAML files as yaml does", () => {
    const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { encoding: 'utf8' }).trim().split('\n');
    const read = files.filter((f) => agreesWithYaml(readFileSync(f, 'utf8')));
    expect(read).toContain('rules/payments.yaml');
    expect(read.length).toBeGreaterThan(files.length / 2);
  });

  it('reads a typical rules file, scalars as YAML 1.2 core types', () => {
    const text = [
      'team: payments',
      'alerts:',
      '  - name: PaymentsDown # why',
      "    expr: 'sum(up{job=\"payments\"}) == 0'",
      '    for: 5m',
      '    labels: {tier: "1", on: yes}',
      '    threshold: 0x1F',
      '    ratio: .5',
      '    off: ~',
      'slos:',
      '  - objective: 99.9',
      '    errors: |',
      '      sum(rate(x{code=~"5.."}[{{window}}]))',
      '',
    ].join('\n');
    const value = quickYamlValue(text);
    expect(value).toEqual(parseDocument(text).toJS());
    expect(value).toMatchObject({ alerts: [{ for: '5m', labels: { tier: '1', on: 'yes' }, threshold: 31, ratio: 0.5, off: null }], slos: [{ objective: 99.9 }] });
  });

  it('reads nested flow pairs in time linear in their depth (js-yaml 5 before 5.2.2 took 2^depth)', () => {
    let nested = 'x';
    for (let depth = 0; depth < 40; depth++) nested = `[${nested}: 1]`;
    // Linear is well under a millisecond here; exponential would not finish. The fastest of up
    // to three runs (test/support/timing.ts): a GC pause or a busy core slows one run only.
    expect(fastestRunMs(() => quickYamlValue(`a: ${nested}\n`), 1000)).toBeLessThan(1000);
  });

  // Each found by the fuzzing above: js-yaml reads these differently from yaml, or accepts what yaml refuses.
  it.each([
    ['a null key (js-yaml names it "null", yaml "")', '~: x\n'],
    ['an anchor and alias (yaml limits alias expansion)', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a flow collection over several lines (yaml may warn)', 'a: [1,\n  2]\n'],
    ['a flow collection as a key', '[a]: 1\n'],
    ['an explicit key', '? a\n: 1\n'],
    ['a comment right after a quoted scalar', 'a: "b"#c\n'],
    ['a block scalar with an indentation indicator', 'a: |2\n    x\n'],
    ['a block scalar keeping final line breaks', 'a: >+\n\n  '],
    ['a block scalar with more indented blank leading lines', 'a: >\n     \n    x\n'],
    ['a block scalar whose more indented blank line js-yaml takes for its indentation', 'b: >-\n      \n    # c\n'],
    ['an escaped line break in a double-quoted scalar', 'q: "a\\\n\n b"\n'],
    ['a directive (YAML 1.1 booleans)', '%YAML 1.1\n---\na: yes\n'],
    ['a document marker with text after it', '---ull: 1\n'],
    ['a document end marker', 'a: 1\n...\n'],
    ['a byte order mark', '\ufeff- x\n'],
    ['a tab in indentation', 'a:\n\tb: 1\n'],
    ['an empty sequence entry', 'team:\n  -\n-  \n'],
    ['a sequence in a sequence on one line', '  - -\n - no\n'],
    ['a comment line before a more indented line', 'a:\n  k:\n  #c\n     v\n  y: 1\n'],
    ['a line over 1024 characters', `${'k'.repeat(1025)}: v\n`],
    ['an empty document', '\n'],
    ['a YAML error', 'a: [\n'],
  ])('leaves %s to yaml', (_what, text) => {
    expect(quickYamlValue(text)).toBe(NOT_QUICK);
  });
});

/**
 * Matcher regexes decide as Go's regexp does in Alertmanager, checked against Go itself: the real
 * `amtool config routes test` (Debian prometheus-alertmanager) routes label sets through an
 * Alertmanager config whose routes carry the same matchers, and must reach the same answer.
 * - Valid Go that JavaScript's RegExp cannot express (`(?U)`, `(?i)` part-way or scoped such as
 *   `foo(?i)bar` and `(?i:payments)-prod`, negated POSIX classes `[[:^alpha:]]`) is accepted
 *   and matches as Go decides, on whichever engine config/matcher-regexp.ts picks.
 * - Generated Go patterns (test/support/go-regexp-arbitrary.ts) with their own short values:
 *   every one is accepted by amtool and here, and decides each value as amtool does. This is the
 *   reference for the patterns that run on re2js, which test/property-matcher-regexp.test.ts can
 *   only compare with themselves.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { matcherRegexpEngine } from '../src/config/matcher-regexp.js';
import { formatMatcher, parseMatchers } from '../src/config/matchers.js';
import { requireBinary } from '../src/testing/binaries.js';
import { goPattern, labelValue, VALUE_CHARS } from './support/go-regexp-arbitrary.js';

const run = promisify(execFile);
const amtool = requireBinary('amtool');

/** [pattern, value, whether Go's `^(?:pattern)$` matches it (as amtool 0.25 answers)]. */
const GO_SYNTAX_JS_LACKS: Array<[string, string, boolean]> = [
  // (?U): ungreedy repetitions; whether the whole value matches is unchanged.
  ['(?U)a+', 'aaa', true],
  ['(?U)a+', '', false],
  ['(?U)v[0-9]+\\.[0-9]+?-rc', 'v1.23-rc', true],
  ['(?U:a*?)b', 'aab', true],
  ['(?-U)a+?', 'aa', true],
  // (?i) part-way and scoped: only its own part ignores case.
  ['foo(?i)bar', 'fooBAR', true],
  ['foo(?i)bar', 'FOObar', false],
  ['(?i:Bar)baz', 'bARbaz', true],
  ['(?i:Bar)baz', 'BarBAZ', false],
  ['(?i:payments)-prod', 'PAYMENTS-prod', true],
  ['(?i:payments)-prod', 'payments-PROD', false],
  ['(?i:prisons)-[[:^alpha:]]+', 'PRISONS-42', true], // test/matcher-regex-linear.test.ts routes by these
  ['(?i:prisons)-[[:^alpha:]]+', 'Prisons-7', true],
  ['(?i:prisons)-[[:^alpha:]]+', 'prisons-4a', false],
  ['(?i)payments(?-i)-prod', 'Payments-prod', true],
  ['(?i)payments(?-i)-prod', 'Payments-Prod', false],
  ['a(?i:k)', 'a\u212a', true], // the Kelvin sign folds to k
  ['a(?i:s)', 'aſ', true], // so does the long s to s
  ['a(?i:s)', 'aß', false],
  ['(?i:foo|bar)', 'BaR', true],
  ['(?i:foo|bar)x', 'BaRX', false],
  ['foo-(?i)[0-9]+', 'foo-12', true],
  ['x(?i)\\bfoo', 'xfoo', false],
  // Negated POSIX classes.
  ['[[:^alpha:]]+', '42-', true],
  ['[[:^alpha:]]+', '4a', false],
  ['[[:^alpha:]]', '🙂', true],
  ['[[:^word:]]', '_', false],
  ['[[:^word:]]', 'é', true],
  ['[[:^digit:][:lower:]]+', 'a-b', true],
  ['[^[:^digit:]]', '7', true],
  ['[^[:^digit:]]', 'x', false],
  ['[[:^lower:]]', 'A', true],
  ['(?i)[[:^lower:]]', 'A', false], // Go folds the class before negating it
  ['(?i)[[:^lower:]]', '\u212a', false],
  ['(?i)[[:^lower:]]', '1', true],
  ['(?i)[^[:^alpha:]]', 'ſ', true],
];

const matcherFor = (name: string, re: string): string => formatMatcher({ name, op: '=~', value: re });

describe('Go syntax that JavaScript lacks: accepted, and matching as Go decides', () => {
  it.each(GO_SYNTAX_JS_LACKS)('%s on %j → %s', (re, value, goMatches) => {
    expect(parseMatchers(matcherFor('x', re)).matches({ x: value })).toBe(goMatches);
  });

  it('part-way (?i) and (?i) with negated classes run on re2js; (?U) and negated POSIX classes stay on V8 where exact', () => {
    for (const re of ['foo(?i)bar', '(?i:Bar)baz', '(?i:payments)-prod', '(?i)payments(?-i)-prod', '(?i)[[:^lower:]]']) expect([re, matcherRegexpEngine(re)]).toEqual([re, 're2js']);
    for (const re of ['(?U)a+', '[[:^alpha:]]+', '(?i:foo|bar)', 'foo-(?i)[0-9]+']) expect([re, matcherRegexpEngine(re)]).toEqual([re, 'v8']);
  });
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertgate-go-regexp-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Go's answers for many (pattern, value) pairs at once: route i of an Alertmanager config matches
 * label `l<i>` by pattern i and continues, so `amtool config routes test` with `l<i>` = value i
 * lists receiver `r<i>` for every pattern that matches its value.
 */
async function goDecides(patterns: string[], valueSets: string[][]): Promise<boolean[][]> {
  const file = join(dir, `am-${patterns.length}-${valueSets.length}.yml`);
  const config = {
    route: {
      receiver: 'none',
      routes: patterns.map((re, i) => ({ receiver: `r${i}`, matchers: [matcherFor(`l${i}`, re)], continue: true })),
    },
    receivers: [{ name: 'none' }, ...patterns.map((_, i) => ({ name: `r${i}` }))],
  };
  await writeFile(file, stringify(config));
  const checked = await run(amtool!, ['check-config', file]).catch((err: { stdout: string; stderr: string }) => err);
  expect(checked.stdout + checked.stderr).toContain('SUCCESS');
  const answers: boolean[][] = [];
  for (const values of valueSets) {
    const labels = values.map((v, i) => formatMatcher({ name: `l${i}`, op: '=', value: v }));
    const { stdout } = await run(amtool!, ['config', 'routes', 'test', `--config.file=${file}`, ...labels], { maxBuffer: 1 << 24 });
    const receivers = new Set(stdout.trim().split(','));
    answers.push(patterns.map((_, i) => receivers.has(`r${i}`)));
  }
  return answers;
}

describe.skipIf(!amtool)('against Go: amtool config routes test', () => {
  it(`the cases above (${GO_SYNTAX_JS_LACKS.length}) are what Go answers`, async () => {
    const [answers] = await goDecides(
      GO_SYNTAX_JS_LACKS.map(([re]) => re),
      [GO_SYNTAX_JS_LACKS.map(([, value]) => value)],
    );
    const rows = GO_SYNTAX_JS_LACKS.map(([re, value, recorded], i) => ({ re, value, recorded, go: answers![i] }));
    expect(rows.filter((r) => r.recorded !== r.go)).toEqual([]);
  });

  it('generated Go patterns, each with 12 values of its own, decide as Go does', async () => {
    const PATTERNS = 1000;
    const VALUES = 12;
    // `(?<name>` is Go 1.22's syntax; Debian's amtool is built with Go 1.19: the older spelling.
    const patterns = fc.sample(goPattern, { seed: 20260605, numRuns: PATTERNS }).map((re) => re.replaceAll('(?<', '(?P<'));
    // A command line carries no lone surrogate: values without them.
    const valueOf = labelValue(VALUE_CHARS.filter((c) => c.length === 1 && !/[\ud800-\udfff]/.test(c)));
    const values = fc.sample(fc.array(valueOf, { minLength: PATTERNS, maxLength: PATTERNS }), { seed: 20260606, numRuns: VALUES });
    values[0] = values[0]!.map(() => ''); // an absent label
    const go = await goDecides(patterns, values);
    const mismatches: Array<{ re: string; value: string; go: boolean; ours: boolean; engine: string }> = [];
    let matched = 0;
    let onRe2js = 0;
    patterns.forEach((re, i) => {
      const set = parseMatchers(matcherFor('x', re));
      const engine = matcherRegexpEngine(re);
      if (engine === 're2js') onRe2js += 1;
      values.forEach((row, j) => {
        const ours = set.matches({ x: row[i]! });
        if (ours !== go[j]![i]) mismatches.push({ re, value: row[i]!, go: go[j]![i]!, ours, engine });
        if (ours) matched += 1;
      });
    });
    expect(mismatches).toEqual([]);
    // Both answers and both engines well represented.
    expect(matched).toBeGreaterThan(PATTERNS * VALUES * 0.05);
    expect(matched).toBeLessThan(PATTERNS * VALUES * 0.95);
    expect(onRe2js).toBeGreaterThan(PATTERNS * 0.1);
    expect(onRe2js).toBeLessThan(PATTERNS * 0.9);
  }, 60_000);
});

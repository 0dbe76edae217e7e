/**
 * Differential: `validate`'s PromQL check (findPromqlError) and the real `promtool check rules`
 * agree on which of these expressions Prometheus takes: offsets, `@`, durations, subqueries,
 * number and string literals, `bool`, vector matching, unary minus. All go into one rule file,
 * one recording rule each, and promtool's "rule N" lines say which it refused.
 *
 * Left out on purpose, where alertgate follows Prometheus 3 rather than the Debian promtool
 * 2.42: functions newer than 2.42 (accepted), experimental ones and `holt_winters` (refused, the
 * flag or new name given); promql-types.test.ts and promql-features.ts cover them.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { findPromqlError } from '../src/config/promql.js';
import { requireBinary } from '../src/testing/binaries.js';
import { makeConfigDir, removeTempDirs } from './generate-helpers.js';

const run = promisify(execFile);
const promtool = requireBinary('promtool');

const EXPRESSIONS = [
  // offset
  'x offset 5m', 'x offset -5m', 'x offset 1h30m', 'x offset 5d', 'x offset 1w2d', 'x offset 1y',
  'x offset 5', 'x offset -5', 'x offset 5.5', 'x offset 0s', 'x offset 0', 'x offset 300y', 'x offset 5 + 1',
  'x offset 2d1w', 'x offset 1m1m', 'x[5m] offset 1m', 'sum(x) offset 5m', 'time() offset 5m',
  'rate(x[5m:1m]) offset 300',
  // ranges and subqueries
  'rate(x[5m])', 'rate(x[1h30m])', 'rate(x[5d])', 'rate(x[5ms])', 'rate(x[5])', 'rate(x[1.5])', 'rate(x[1.5m])',
  'rate(x[0s])', 'rate(x[-5m])', 'rate(x[100000y])', 'rate(x[5m5m])',
  'x[5m:1m]', 'x[5m:]', 'rate(x[5m:1])', 'x[5:1m]', 'x[5m:0s]', 'x[5m:-1m]', 'rate(x[5m])[10m:]',
  'max_over_time(rate(x[5m])[30m:1m])', 'x[5m:1m] offset 1m', 'rate(x[5m:1s1ms])',
  // @
  'x @ 1609746000', 'x @ start()', 'x @ end()', 'rate(x[5m] @ 100)', 'x @ 100 offset 5m', 'x offset 5m @ 100',
  'x @ 1e3', 'x @ -100', 'x @ 0x10', 'x @ 1.5', 'x @ Inf', 'x @ -Inf', 'x @ NaN', 'x @ 1e20', 'x @ 5m',
  'x @ 10 @ 20', 'x offset 5m offset 1m', 'x[1m] @ start()',
  // numbers
  '0x1f', '0X1F', '1e3', '1E-3', 'Inf', '-Inf', 'NaN', 'nan', '+5', '.5', '5.', '1_000', '0x_1f',
  'time() - 1h', '-5m', '5m', 'x > 5m', 'predict_linear(x[1h], 1h)', 'predict_linear(x[1h], 3600)',
  // strings
  '"a\\nb"', "'a\\'b'", '`raw\\n`', '"\\q"', '"\\400"', '"\\uD800"', '"\\u00e9\\x41\\101"', `'\\"'`, `"\\'"`,
  'x{path=~"/api/\\d+"}', 'x{path=~"/api/\\\\d+"}', 'x{path=~`/api/\\d+`}', 'label_replace(x, "a", "$1", "b", "(.*)")',
  // operators and modifiers
  'x > bool 1', '1 > bool 2', '1 > 2', 'x == bool y', 'x + on() y', 'x + on(a) group_left(b) y',
  'x + ignoring(a) group_right y', 'x and on(a) y', 'x or bool y', 'x unless bool y', 'x and on(a) group_left y',
  '-x', '- -x', '-1 ^ 2', 'x atan2 y',
  // selectors, aggregations, calls
  'x{a="b",}', 'x{}', '{__name__="x"}', '{a=~".*"}', '{a=""}', 'sum without() (x)', 'sum by (a) (x) by (b)',
  'topk(3, x)', 'topk(x, 3)', 'count_values("v", x)', 'count_values(x, x)', 'abs(x[5m])', 'clamp_min(x)',
  'rate(x[5m], 1)', 'foo_bar(x)', 'x{a=~"("}',
];

afterAll(removeTempDirs);

describe.skipIf(!promtool)('validate and promtool check rules agree on PromQL', () => {
  it(`accept and refuse the same ${EXPRESSIONS.length} expressions`, async () => {
    const dir = await makeConfigDir({});
    const file = path.join(dir, 'rules.yaml');
    const rules = EXPRESSIONS.map((expr, i) => ({ record: `r${i + 1}`, expr }));
    await writeFile(file, stringify({ groups: [{ name: 'differential', rules }] }, { lineWidth: 0 }));
    const refusedByPromtool = new Set<number>();
    try {
      await run(promtool!, ['check', 'rules', file]);
    } catch (err) {
      const { stdout, stderr } = err as { stdout?: string; stderr?: string };
      for (const m of `${stdout}\n${stderr}`.matchAll(/rule (\d+),/g)) refusedByPromtool.add(Number(m[1]) - 1);
    }
    expect(refusedByPromtool.size, 'promtool refused none: did it run?').toBeGreaterThan(10);
    const verdicts = EXPRESSIONS.map((expr, i) => ({
      expr,
      promtool: refusedByPromtool.has(i) ? 'refuses' : 'accepts',
      validate: findPromqlError(expr) ? 'refuses' : 'accepts',
    }));
    expect(verdicts.filter((v) => v.promtool !== v.validate)).toEqual([]);
  });
});

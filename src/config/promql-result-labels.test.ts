import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { requireBinary } from '../testing/binaries.js';
import { resultLabels } from './promql-result-labels.js';

const promtool = requireBinary('promtool');
const RATE = 'rate(errors_total{code=~"5..", path="/a(b"}[5m])';
const labelsOf = (expr: string) => resultLabels(expr)?.labels;

/**
 * Expressions over the series of PROMTOOL_SERIES and the labels read for their results: promtool
 * evaluates each below, and every series it returns must have no label outside the list.
 */
const DECIDED: [string, string[]][] = [
  // one-to-one `on (…)` keeps only the labels matched on, also for a filtering comparison
  ['sum by (team) (a) / on (team) b', ['team']],
  ['a{pod!="p2"} / on (team) b', ['team']],
  ['a{pod!="p2"} > on (team) b', ['team']],
  ['a{pod!="p2"} > bool on (team) b', ['team']],
  ['(sum by (team) (a) / on (team) b) * 100 > 10', ['team']],
  ['sum without (pod, code) (a) / on (team) b', ['team']],
  ['sum by (team) (a) * 2 + on (team) sum by (team) (b) ^ 2', ['team']],
  // `ignoring (…)`: the left side's labels but those
  ['sum by (team, code) (a{code="500"}) / ignoring (code) sum by (team) (b)', ['team']],
  ['sum by (team) (a) - ignoring (zone) sum by (team, zone) (b)', ['team']],
  // group_left / group_right: the many side's labels and the included ones
  ['sum by (team, pod) (a) / on (team) group_left (zone) b', ['pod', 'team', 'zone']],
  ['b / on (team) group_right (zone) sum by (team, pod) (a)', ['pod', 'team', 'zone']],
  ['sum by (team, pod) (a) * on (team) group_left b', ['pod', 'team']],
  ['sum by (team, code) (a) / ignoring (code) group_left sum by (team) (b)', ['code', 'team']],
  ['sum by (team) (a) / on (team) group_left (zone) b', ['team', 'zone']],
  ['max by (team, pod) (a) == on (team, pod) group_left sum by (team, pod) (a)', ['pod', 'team']],
  // and / unless: the left side's labels, whatever the right side's
  ['sum by (team) (a) > 5 and sum by (team) (b) > 0', ['team']],
  ['sum by (team) (a) and on (team) b', ['team']],
  ['sum by (team, pod) (a) unless on (team) b{team="y"}', ['pod', 'team']],
  ['count by (team) (a) > 0 unless sum without (pod) (b) > 5', ['team']],
  // or: both sides' labels
  ['sum by (team) (a) or vector(0)', ['team']],
  ['sum by (team, pod) (a) or sum by (team) (b)', ['pod', 'team']],
  ['sum by (team) (a) > 1 and sum by (team) (b) > 0 or vector(0)', ['team']],
  ['vector(1) or sum by (team) (a) and sum by (zone) (b)', ['team']],
  // numbers and scalar functions keep the vector's labels
  ['time() - sum by (team) (a)', ['team']],
  ['sum by (team) (a) > scalar(sum(b))', ['team']],
  ['sum by (team) (a offset 1m)', ['team']],
  // offset and @ move samples in time, not their labels
  ['a{pod!="p2"} offset 1m > on (team) b', ['team']],
  ['a{pod!="p2"} @ 60 > on (team) b @ end()', ['team']],
  // without: the labels of its argument but those listed, when the argument's are read
  ['sum without (pod, code) (sum by (team, pod, code) (a))', ['team']],
  ['max without (pod) (sum by (team, pod) (a) > 4) > 0', ['team']],
];

describe('resultLabels: what each operator keeps, read without a parse', () => {
  it.each(DECIDED)('%s → %j', (expr, labels) => {
    expect(labelsOf(expr)).toEqual(labels);
  });

  it.each([
    ['sum by (team) (x)', ['team']],
    ['sum(x) by (b, a, b)', ['a', 'b']],
    ['count(x)', []],
    ['quantile by (le) (0.9, x)', ['le']],
    [`sum by (team) (${RATE}) > 0`, ['team']],
    [`sum by (team) (${RATE}) >= bool 1`, ['team']],
    [`sum by (team) (${RATE}) > -Inf`, ['team']],
    [`(sum by (team) (${RATE})) > 0`, ['team']],
    [`((sum by (team) (${RATE}))) > 0x1F`, ['team']],
    [`sum by (team) (${RATE}) / sum by (team) (rate(total[5m])) > 0.05`, ['team']],
    [`(sum by (team, ns) (${RATE}) / sum(rate(total[5m])) by (ns, team)) * 100 > 5e-1`, ['ns', 'team']],
    [`100 * -(sum by (team) (${RATE})) atan2 2 != 3`, ['team']],
    [`sum by (team) (${RATE}) # the errors, (\n / # over the total\n sum by (team) (x)`, ['team']],
    [`  sum by ( team , ) (${RATE})  > 0  `, ['team']],
    [`sum by (team) (${RATE}) / on (team) sum by (team) (x)`, ['team']],
    [`sum by (team) (${RATE}) / ignoring (code) group_left sum by (team) (x)`, ['team']],
    [`sum by (team) (${RATE}) > bool on () sum by (team) (x)`, []],
    [`sum by (team) (${RATE}) > 0 and sum by (team) (x) > 0`, ['team']],
    [`sum by (team) (${RATE}) or vector(0)`, ['team']],
  ])('%s → %j (grouped alike, or decided by its operators)', (expr, labels) => {
    expect(labelsOf(expr)).toEqual(labels);
  });

  it('says which operator decided the labels, and nothing when the groupings do', () => {
    expect(resultLabels('sum by (team) (a) / sum by (team) (b) > 0.05')).toEqual({ labels: ['team'], reason: undefined });
    expect(resultLabels('sum by (team, pod) (a) / on (team) b')?.reason).toBe('one-to-one matching `/ on (team)` keeps only the labels it matches on');
    expect(resultLabels('sum by (team) (a) > 0 and b')?.reason).toBe('`and` keeps the labels of its left side, grouped by (team)');
    expect(resultLabels('sum by (team) (a) or vector(0)')?.reason).toBe("`or` adds the right side's series, labelled (), to the left side's, labelled (team)");
    expect(resultLabels('sum by (team) (a) * on (team) group_left (zone) b')?.reason).toBe(
      '`* on (team) group_left` keeps the labels of its left side, (team) and adds zone from the other side',
    );
  });

  it('marks a label only group_left (e) or group_right (e) brings in as joined, where each series stays one of the join\'s many side', () => {
    const joinedOf = (expr: string) => resultLabels(expr)?.joined?.map((j) => j.label);
    const sidesOf = (expr: string) => resultLabels(expr)?.joined?.map((j) => `${j.label} ${j.side}`);
    expect(joinedOf('sum by (namespace, pod) (a) * on (namespace) group_left (team) b')).toEqual(['team']);
    expect(joinedOf('b * on (namespace) group_right (team, zone) sum by (namespace, pod) (a) > 4')).toEqual(['team', 'zone']);
    expect(joinedOf('(sum by (ns, pod) (a) * on (ns) group_left (team) b) > 0 and sum by (ns) (c)')).toEqual(['team']);
    // Each with the side of the join that brought it in, whatever operator is outermost.
    expect(sidesOf('(b * on (ns) group_right (team) sum by (ns, pod) (a)) / ignoring (x) sum by (ns, pod, team) (c)')).toEqual(['team right']);
    expect(sidesOf('z * on (ns, pod) group_right (zone) (sum by (ns, pod) (a) * on (ns) group_left (team) b)')).toEqual(['team left', 'zone right']);
    // The many side's own team is overwritten, but it told series apart before: not joined.
    expect(joinedOf('sum by (pod, team) (a) * on (pod) group_left (team) b')).toBeUndefined();
    // or, on (…), without and aggregations make series that may differ in nothing else.
    expect(joinedOf('sum by (ns, pod) (a) * on (ns) group_left (team) b or sum by (ns, pod, team) (c)')).toBeUndefined();
    expect(joinedOf('sum by (ns, pod) (a) * on (ns) group_left (team) b / on (team) sum by (team) (c)')).toBeUndefined();
    expect(joinedOf('sum without (ns) (sum by (ns, pod) (a) * on (ns) group_left (team) b)')).toBeUndefined();
  });

  it.each([
    // The series decide: without, selectors, functions, other aggregations.
    `sum without (pod) (${RATE}) > 0`,
    `sum(${RATE}) without (pod) > 0`,
    'a > 0',
    `topk by (team) (3, ${RATE})`,
    'histogram_quantile(0.9, sum by (le, team) (rate(x[5m]))) > 1',
    'absent(x)',
    `sum by (team) (${RATE}) / x`,
    `sum by (team) (${RATE}) / sum without (pod) (x)`,
    'a and on (team) b',
    'sum by (team) (a) or b',
    'a * on (team) group_left (zone) b',
    // A filtering comparison keeps the left series' name.
    'a > ignoring (pod) sum by (team, code) (a)',
    // Grouped apart without modifiers: they match no series, or only those lacking the extra label.
    `sum by (team) (${RATE}) / sum by (team, service) (x)`,
    `sum(${RATE}) / sum by (team) (x)`,
    'sum by (team) (a) / ignoring (code) sum by (zone) (b)',
    // Not read: offset and @ outside an aggregation, quoted names, scalars, unbalanced text.
    'sum without (pod) (a offset 5m) > 0',
    'quantile without (pod) (0.9, a) > 0',
    'a offset > on (team) b',
    'a @ > on (team) b',
    'sum by (team) (a) / on ("team") b',
    `sum by (team) (${RATE}) > 5m`,
    `sum by ("team") (${RATE})`,
    '1 + 2',
    `(sum by (team) (${RATE})`,
    `sum by (team) (${RATE}))`,
    `sum by (team) (${RATE}) >`,
    `sum by (team) (${RATE}) + bool 1`,
    'sum by (team) (a) / on (team) toString b',
    '',
  ])('%s → undefined', (expr) => {
    expect(resultLabels(expr)).toBeUndefined();
  });

  it('reads long and pathological expressions in one pass (the generate benchmark checks 10,000 alerts)', () => {
    const deep = 100_000;
    expect(labelsOf(`${'('.repeat(deep)}sum by (team) (x)${')'.repeat(deep)} > 0`)).toEqual(['team']);
    expect(labelsOf(`${'('.repeat(deep)}sum by (team) (x)`)).toBeUndefined();
    expect(labelsOf(Array.from({ length: 20_000 }, () => `sum by (team) (${RATE})`).join(' / ') + ' > 0')).toEqual(['team']);
    expect(labelsOf(Array.from({ length: 20_000 }, () => `sum by (team) (${RATE}) > 0`).join(' and ') + ' or vector(0)')).toEqual(['team']);
    expect(labelsOf(Array.from({ length: 20_000 }, () => 'x').join(' * on (team) ') + ' > 0')).toEqual(['team']);
    expect(labelsOf(`sum by (team) (x)${' ^ 2'.repeat(deep)}`)).toEqual(['team']);
    expect(labelsOf(`${'- '.repeat(deep)}sum by (team) (x)`)).toEqual(['team']);
    expect(labelsOf(`sum(x)${' '.repeat(deep)}x`)).toBeUndefined();
    expect(labelsOf(`sum(x) > ${'1'.repeat(deep)}x`)).toBeUndefined();
    expect(labelsOf(`sum by (${'a, '.repeat(deep)}) (x)`)).toEqual(['a']);
    expect(labelsOf(`sum(x{a="${'\\"('.repeat(deep)}`)).toBeUndefined();
    expect(labelsOf(`x{a="${'\\"{'.repeat(deep)}`)).toBeUndefined();
    expect(labelsOf(`sum(x) ${'# (\n'.repeat(deep)}> 0`)).toEqual([]);
  });
});

const PROMTOOL_SERIES = [
  { series: 'a{team="x",pod="p1",code="500"}', values: '4x5' },
  { series: 'a{team="x",pod="p2",code="200"}', values: '6x5' },
  { series: 'a{team="y",pod="p3",code="500"}', values: '8x5' },
  { series: 'b{team="x",zone="z1"}', values: '2x5' },
  { series: 'b{team="y",zone="z2"}', values: '3x5' },
];

describe.skipIf(!promtool)('each read agrees with what Prometheus evaluates', () => {
  it('promtool gives no series a label outside the list read for it, and a series for each expression', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'result-labels-'));
    try {
      await writeFile(path.join(dir, 'empty.rules.yaml'), 'groups: []\n');
      // Expecting no sample, promtool prints the samples it got: their labels are the answer.
      const tests = { rule_files: ['empty.rules.yaml'], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: PROMTOOL_SERIES, promql_expr_test: DECIDED.map(([expr]) => ({ expr, eval_time: '1m', exp_samples: [] })) }] };
      await writeFile(path.join(dir, 't.yaml'), stringify(tests, { lineWidth: 0 }));
      const run = await promisify(execFile)(promtool!, ['test', 'rules', path.join(dir, 't.yaml')]).catch((err: { stdout: string; stderr: string }) => err);
      const out = `${run.stdout}${run.stderr}`;
      const got = new Map<string, string[][]>();
      for (const [, expr, samples] of out.matchAll(/expr: (".*"), time: 1m,\n\s+exp: nil\n\s+got: (.*)\n/g)) {
        got.set(JSON.parse(expr!) as string, [...samples!.matchAll(/\{([^}]*)\}/g)].map((m) => [...m[1]!.matchAll(/([A-Za-z_]+)="/g)].map((l) => l[1]!)));
      }
      for (const [expr, labels] of DECIDED) {
        expect(got.get(expr), `${expr}: ${out}`).toBeDefined();
        for (const series of got.get(expr)!) expect({ expr, outside: series.filter((l) => !labels.includes(l)) }).toEqual({ expr, outside: [] });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { requireBinary } from '../testing/binaries.js';
import { pinnedLabels } from './promql-pinned-labels.js';

const promtool = requireBinary('promtool');
const pins = (expr: string) => Object.fromEntries(pinnedLabels(expr));

/** Expressions over SERIES and the labels each pins: promtool evaluates each, and every series it returns carries them. */
const PINNED: [string, Record<string, string>][] = [
  ['sum by (team) (rate(a{team="x"}[5m]))', { team: 'x' }],
  ['sum by (team, pod) (a{team="x", code="500"})', { team: 'x' }],
  ['sum without (pod) (a{team="x"})', { team: 'x' }],
  ['sum by (team) (a{team="x"}) / sum by (team) (a{team="x", code="500"}) > 0', { team: 'x' }],
  // One-to-one matching: matched series agree, so a pin on either side is the result's.
  ['sum by (team) (a{team="x"}) / sum by (team) (a)', { team: 'x' }],
  ['a{team="x"} > on (team) group_left b', { team: 'x' }],
  ['sum by (pod) (a{team="x"}) * on () group_left (team) b{team="y"}', { team: 'y' }],
  ['b{team="y", zone="z2"} * on (team) group_right (zone) a', { team: 'y', zone: 'z2' }],
  ['b{team="y"} * on (team) group_right a', { team: 'y' }],
  ['sum by (team) (a{team="x"}) > 0 and on () vector(1)', { team: 'x' }],
  ['sum by (team) (a{team="x"}) or sum by (team) (a{team="x", code="500"})', { team: 'x' }],
  ['topk(1, a{team="x"})', { team: 'x' }],
  ['histogram_quantile(0.9, sum by (le, team) (rate(h_bucket{team="x"}[5m])))', { team: 'x' }],
  ['absent(nothing{team="x"})', { team: 'x' }],
  ['max_over_time(sum by (team) (a{team="x"})[5m:1m] offset 1m)', { team: 'x' }],
  ['-sum by (team) (a{team=\'x\'}) + time()', { team: 'x' }],
  // Prometheus anchors a regex: one without metacharacters matches that one value.
  ['sum by (team) (a{team=~"x"})', { team: 'x' }],
];

const NOT_PINNED: string[] = [
  'sum by (team) (a{team!="x"})',
  'sum by (team) (a{team=~"x|y"})',
  'sum by (team) (a{team="x"}) or vector(0)',
  'sum by (team) (a{team="x"}) or sum by (team) (a{team="y"})',
  'sum by (team) (label_replace(a{team="x"}, "team", "$1", "pod", "(.*)"))',
  'count_values by (team) ("team", a{team="x"})',
  'sum by (pod) (a{team="x"})',
  'sum(a{team="x"})',
  'sum without (team) (a{team="x"})',
  'a{team="x"} / on (pod) a{team="x"}',
  'a{team="x"} / ignoring (team) a{team="x"}',
  'absent(rate(nothing{team="x"}[5m]))',
  'a{team="x", team!="y"}',
  'sum by (team) (a{team="x"}) * on () group_left (team) b',
  'sum by (team) (a{team="x"} # unclosed (',
  'sum by (team) (a{team=~"x."})',
  'sum by (team) (a{team=~"(?i)x"})',
];

describe('pinnedLabels: the labels every series of the result carries with one value the query fixes', () => {
  it.each(PINNED)('%s → %j', (expr, expected) => {
    expect(pins(expr)).toEqual(expected);
  });
  it.each(NOT_PINNED)('%s → no team', (expr) => {
    expect(pins(expr)).not.toHaveProperty('team');
  });
  it('reads an SLO query with its {{window}}, and an expression too deep to walk as pinning nothing', () => {
    expect(pins('sum by (team) (rate(a{team="x"}[{{window}}]))')).toEqual({ team: 'x' });
    expect(pins(`${'('.repeat(100_000)}a{team="x"}${')'.repeat(100_000)}`)).toEqual({});
  });
});

const SERIES = [
  { series: 'a{team="x",pod="p1",code="500"}', values: '4x5' },
  { series: 'a{team="x",pod="p2",code="200"}', values: '6x5' },
  { series: 'a{team="y",pod="p3",code="500"}', values: '8x5' },
  { series: 'b{team="x",zone="z1"}', values: '2x5' },
  { series: 'b{team="y",zone="z2"}', values: '3x5' },
  { series: 'h_bucket{team="x",le="1"}', values: '0+1x5' },
  { series: 'h_bucket{team="x",le="+Inf"}', values: '0+2x5' },
  { series: 'h_bucket{team="y",le="+Inf"}', values: '0+2x5' },
];

describe.skipIf(!promtool)('each pin agrees with what Prometheus evaluates', () => {
  it('promtool returns series for each pinned expression, every one carrying its pins; and series apart from the pin for the others', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pinned-labels-'));
    try {
      await writeFile(path.join(dir, 'empty.rules.yaml'), 'groups: []\n');
      const exprs = [...PINNED.map(([e]) => e), ...NOT_PINNED.slice(1, 6)];
      const tests = { rule_files: ['empty.rules.yaml'], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: SERIES, promql_expr_test: exprs.map((expr) => ({ expr, eval_time: '4m', exp_samples: [] })) }] };
      await writeFile(path.join(dir, 't.yaml'), stringify(tests, { lineWidth: 0 }));
      const run = await promisify(execFile)(promtool!, ['test', 'rules', path.join(dir, 't.yaml')]).catch((err: { stdout: string; stderr: string }) => err);
      const out = `${run.stdout}${run.stderr}`;
      // Expecting no sample, promtool prints the samples it got.
      const got = new Map<string, Record<string, string>[]>();
      for (const [, expr, samples] of out.matchAll(/expr: (".*"), time: 4m,\n\s+exp: nil\n\s+got: (.*)\n/g)) {
        got.set(JSON.parse(expr!) as string, [...samples!.matchAll(/\{([^}]*)\}/g)].map((m) => Object.fromEntries([...m[1]!.matchAll(/([A-Za-z_]+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]))));
      }
      for (const [expr, expected] of PINNED) {
        expect(got.get(expr), `${expr}: ${out}`).toBeDefined();
        for (const series of got.get(expr)!) expect({ expr, pins: Object.fromEntries(Object.keys(expected).map((l) => [l, series[l]])) }).toEqual({ expr, pins: expected });
      }
      // Where a team is selected with = but not pinned, series of two teams' values, or with and without team, come out.
      for (const expr of NOT_PINNED.slice(1, 6)) {
        const teams = new Set((got.get(expr) ?? []).map((s) => s['team'] ?? '(none)'));
        expect({ expr, twoOrMore: teams.size >= 2 }, out).toEqual({ expr, twoOrMore: true });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

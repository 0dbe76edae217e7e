/**
 * Acceptance: an alert's `keep_firing_for` is written to the generated rule as given (the text
 * written, as `for`), passes the PrometheusRule CRD schema, and under `promtool test rules` keeps
 * the alert firing that long after its condition last held, so a flapping condition is one
 * alert, not one per flap; without it the alert resolves at once.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateAgainstSchema, type OpenApiSchema } from '../src/generate/openapi-schema.js';
import { generateOutputs, prometheusRuleFile } from '../src/generate/outputs.js';
import type { AlertingRule, RuleGroup } from '../src/generate/rule-types.js';
import { requireBinary } from '../src/testing/binaries.js';
import { loadSpecsOrThrow, makeConfigDir, promtoolTestRules, removeTempDirs, REPO_ROOT, routesFile, ruleFileAsGenerated } from './generate-helpers.js';

const promtool = requireBinary('promtool');

const RULES = `team: acme
namespace: acme-prod
alerts:
  - name: QueueStuck
    expr: shop_queue_depth > 100
    keep_firing_for: 10m
    severity: warning
    summary: Shop queue stuck
    runbook: https://runbooks.example/queue
  - name: QueueStuckNoKeep
    expr: shop_queue_depth > 100
    for: 0
    severity: warning
    summary: Shop queue stuck
    runbook: https://runbooks.example/queue
`;

afterAll(removeTempDirs);

describe('keep_firing_for', () => {
  let dir: string;
  let ruleText: string;
  beforeAll(async () => {
    dir = await makeConfigDir({ 'routes/acme.yaml': routesFile('acme'), 'rules/acme.yaml': RULES });
    ruleText = generateOutputs(await loadSpecsOrThrow(dir)).get(prometheusRuleFile('acme'))!;
    await writeFile(path.join(dir, 'acme.rules.yaml'), ruleFileAsGenerated(ruleText));
  });

  it('is written after `for`, as given, and passes the PrometheusRule CRD schema', async () => {
    const rules = (parse(ruleText) as { spec: { groups: RuleGroup[] } }).spec.groups[0]!.rules as AlertingRule[];
    expect(Object.keys(rules[0]!)).toEqual(['alert', 'expr', 'keep_firing_for', 'labels', 'annotations']);
    expect(rules[0]!.keep_firing_for).toBe('10m');
    expect(rules[1]).not.toHaveProperty('keep_firing_for');
    const crd = parse(await readFile(path.join(REPO_ROOT, 'test/fixtures/prometheusrule-crd.yaml'), 'utf8')) as {
      spec: { versions: Array<{ schema: { openAPIV3Schema: OpenApiSchema } }> };
    };
    expect(validateAgainstSchema(parse(ruleText), crd.spec.versions[0]!.schema.openAPIV3Schema)).toEqual([]);
  });

  it.skipIf(!promtool)('keeps the alert firing for that long after its condition last held (promtool test rules)', async () => {
    const fired = [{ exp_labels: { team: 'acme', severity: 'warning' }, exp_annotations: { summary: 'Shop queue stuck', runbook_url: 'https://runbooks.example/queue' } }];
    const at = (eval_time: string, alertname: string, fires: boolean) => ({ eval_time, alertname, exp_alerts: fires ? fired : [] });
    const out = await promtoolTestRules(promtool!, dir, 'keep.test.yaml', {
      rule_files: ['acme.rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          // Over 100 in minutes 2 and 3 only.
          name: 'a two-minute backlog',
          interval: '1m',
          input_series: [{ series: 'shop_queue_depth', values: '0 0 500 500 0x20' }],
          alert_rule_test: [
            at('2m', 'QueueStuck', true),
            at('2m', 'QueueStuckNoKeep', true),
            // Condition gone from minute 4: the one without keep_firing_for resolves at once.
            at('4m', 'QueueStuck', true),
            at('4m', 'QueueStuckNoKeep', false),
            at('13m', 'QueueStuck', true),
            at('15m', 'QueueStuck', false),
          ],
        },
      ],
    });
    expect(out).toContain('SUCCESS');
  });
});

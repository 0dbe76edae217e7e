/**
 * Acceptance: a real Prometheus (the Debian `prometheus` binary) loads every generated rule file
 * and evaluates each rule without error: GET /api/v1/rules lists them all with health "ok".
 * Spawned on 127.0.0.1 with a free port (another if it is taken before Prometheus binds it) and
 * a temp TSDB (support/prometheus-server.ts); stopped at the end.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generateOutputs } from '../src/generate/outputs.js';
import type { RuleGroup } from '../src/generate/rule-types.js';
import { requireBinary } from '../src/testing/binaries.js';
import { copyOfShippedConfig, loadSpecsOrThrow, makeConfigDir, removeTempDirs, ruleFileFromPrometheusRule } from './generate-helpers.js';
import { startPrometheus, type PrometheusProcess } from './support/prometheus-server.js';

const prometheus = requireBinary('prometheus');

interface ApiRule {
  name: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
}
interface ApiGroup {
  name: string;
  file: string;
  rules: ApiRule[];
}

describe.skipIf(!prometheus)('generated rules on a real Prometheus', () => {
  let prom: PrometheusProcess | undefined;
  let expected: RuleGroup[] = [];

  beforeAll(async () => {
    const outputs = generateOutputs(await loadSpecsOrThrow(await copyOfShippedConfig()));
    const dir = await makeConfigDir({});
    const ruleFiles: string[] = [];
    for (const [file, text] of outputs) {
      if (!file.endsWith('-prometheus-rule.yaml')) continue;
      expected.push(...(parse(text) as { spec: { groups: RuleGroup[] } }).spec.groups);
      const f = path.join(dir, file.replace('-prometheus-rule.yaml', '.rules.yaml'));
      await writeFile(f, ruleFileFromPrometheusRule(text));
      ruleFiles.push(f);
    }
    // Evaluate every second so the first evaluation (which sets health) happens right away.
    const config = stringify({ global: { evaluation_interval: '1s' }, rule_files: ruleFiles });
    prom = await startPrometheus(prometheus!, dir, path.join(dir, 'data'), 20_000, config);
  });

  afterAll(async () => {
    await prom?.stop();
    await removeTempDirs(); // after the stop: the TSDB lives in one of them
  });

  it('is ready', async () => {
    const res = await fetch(`${prom!.url}/-/ready`);
    expect(res.status).toBe(200);
  });

  it('lists every generated group and rule with health ok', async () => {
    const want = expected.flatMap((g) => g.rules.map((r) => `${g.name}/${'alert' in r ? r.alert : r.record}`)).sort();
    let groups: ApiGroup[] = [];
    // Health is "unknown" until a group's first evaluation; poll (bounded) until all are evaluated.
    for (let attempt = 0; attempt < 100; attempt++) {
      const body = (await (await fetch(`${prom!.url}/api/v1/rules`)).json()) as { status: string; data: { groups: ApiGroup[] } };
      expect(body.status).toBe('success');
      groups = body.data.groups;
      if (groups.every((g) => g.rules.every((r) => r.health !== 'unknown'))) break;
      await delay(100);
    }
    const got = groups.flatMap((g) => g.rules.map((r) => `${g.name}/${r.name}`)).sort();
    expect(got).toEqual(want);
    const unhealthy = groups.flatMap((g) => g.rules.filter((r) => r.health !== 'ok').map((r) => `${g.name}/${r.name}: ${r.health} ${r.lastError ?? ''}`));
    expect(unhealthy).toEqual([]);
    expect(groups.flatMap((g) => g.rules).filter((r) => r.type === 'alerting').length).toBeGreaterThan(10);
  });
});

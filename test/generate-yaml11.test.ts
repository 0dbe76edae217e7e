/**
 * Acceptance: generated files read back the same under YAML 1.1, as kubectl reads manifests
 * (sigs.k8s.io/yaml, go-yaml v2), not only under YAML 1.2. A label value "yes", a key `on` or a
 * folder "ON" written plain would reach the cluster as booleans; `1:20` as 80, `0777` as 511.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, parseDocument, visit } from 'yaml';
import { load as loadYaml12 } from 'js-yaml';
import { dashboardsFile, generateOutputs, prometheusRuleFile } from '../src/generate/outputs.js';
import { findBinary } from '../src/testing/binaries.js';
import { loadSpecsOrThrow, makeConfigDir, removeTempDirs, routesFile } from './generate-helpers.js';

interface RuleObject {
  spec: { groups: Array<{ rules: Array<{ labels: Record<string, unknown>; annotations: Record<string, unknown> }> }> };
}

/** python3 with PyYAML, when this machine has it (not a test dependency: the check it adds is also made without it). */
const pyyaml = (() => {
  const python = findBinary('python3');
  if (!python) return undefined;
  try {
    execFileSync(python, ['-c', 'import yaml'], { stdio: 'ignore' });
    return python;
  } catch {
    return undefined;
  }
})();

/** Every spelling YAML 1.1 reads as a boolean, and other plain scalars that are not strings in 1.1 or 1.2. */
const BOOLEANS_1_1 = 'y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF'.split(' ');
const OTHERS = ['~', 'null', 'Null', 'NULL', '.inf', '-.Inf', '.nan', '1:20', '190:20:30.15', '0777', '0o17', '0x1F', '0b101', '1_000', '+1', '1.', '.5', '1e3', 'e3', '.', '2024-01-31', '2001-12-14t21:59:43.10-05:00', '<<', '='];
const VALUES = [...BOOLEANS_1_1, ...OTHERS];
/** Label names (Prometheus label-name syntax) that YAML 1.1 reads as booleans or null. */
const KEYS = ['on', 'On', 'ON', 'off', 'y', 'Y', 'n', 'N', 'yes', 'no', 'NO', 'null'];

/** Values under keys `v0`, `v1`, … so the same strings are checked as label values and as annotation values. */
function numbered(values: string[]): Record<string, string> {
  return Object.fromEntries(values.map((v, i) => [`v${i}`, v]));
}

/** YAML text of a map with every key and value double-quoted, so the source side is unambiguous. */
function quotedMap(map: Record<string, string>, indent: string): string {
  return Object.entries(map)
    .map(([k, v]) => `${indent}${JSON.stringify(k)}: ${JSON.stringify(v)}\n`)
    .join('');
}

afterAll(removeTempDirs);

describe('generated YAML under a YAML 1.1 parser', () => {
  it('reads every label and annotation key and value, and the folder annotation, back as the original string', async () => {
    const labels = { ...numbered(VALUES), ...Object.fromEntries(KEYS.map((k) => [k, k])) };
    const annotations = { ...numbered(VALUES), ...Object.fromEntries(KEYS.map((k) => [k, 'x'])) };
    const dir = await makeConfigDir({
      'routes/alpha.yaml': routesFile('alpha'),
      'routes/platform.yaml': routesFile('platform'),
      'rules/alpha.yaml':
        'team: alpha\nnamespace: alpha-prod\nalerts:\n  - name: ApiDown\n    expr: up == 0\n    severity: warning\n' +
        `    summary: "yes"\n    runbook: https://r.example/x\n    labels:\n${quotedMap(labels, '      ')}    annotations:\n${quotedMap(annotations, '      ')}`,
      'dashboards/alpha.yaml':
        'team: alpha\nnamespace: alpha-prod\nfolder: "ON"\ndashboards:\n  - title: API\n    panels:\n      - title: Up\n        type: stat\n        expr: sum(up)\n',
    });
    const outputs = generateOutputs(await loadSpecsOrThrow(dir), { ruleLabels: { env: 'on', tier: '0777' } });

    for (const file of [prometheusRuleFile('alpha'), dashboardsFile('alpha')]) {
      const text = outputs.get(file)!;
      const doc = parseDocument(text, { version: '1.1' });
      expect(doc.errors).toEqual([]);
      // Every key, anywhere, is a string (yaml's toJS would turn a boolean key into "true").
      const nonStringKeys: unknown[] = [];
      visit(doc, {
        Map(_k, map) {
          if (!isMap(map)) return;
          for (const pair of map.items) if (!isScalar(pair.key) || typeof pair.key.value !== 'string') nonStringKeys.push(pair.key);
        },
      });
      expect({ file, nonStringKeys }).toEqual({ file, nonStringKeys: [] });
      // And YAML 1.2 still reads the same object.
      expect(doc.toJS()).toEqual(loadYaml12(text));
    }

    const rule = parseDocument(outputs.get(prometheusRuleFile('alpha'))!, { version: '1.1' }).toJS() as {
      metadata: { labels: Record<string, unknown> };
      spec: { groups: Array<{ rules: Array<{ labels: Record<string, unknown>; annotations: Record<string, unknown> }> }> };
    };
    const alert = rule.spec.groups[0]!.rules[0]!;
    expect(alert.labels).toEqual({ ...labels, team: 'alpha', severity: 'warning' });
    expect(alert.annotations).toEqual({ ...annotations, summary: 'yes', runbook_url: 'https://r.example/x' });
    expect(rule.metadata.labels).toMatchObject({ env: 'on', tier: '0777' });

    const configMap = parseDocument(outputs.get(dashboardsFile('alpha'))!, { version: '1.1' }).toJS() as {
      metadata: { annotations: Record<string, unknown> };
    };
    expect(configMap.metadata.annotations['grafana_folder']).toBe('ON');
  });

  it('writes unquoted label and annotation values of the source as the text written there (as Prometheus reads a rule file)', async () => {
    // Plain in the source: YAML reads `1.20` as 1.2, `0x1F` as 31, `True` as true, but a
    // Prometheus rule file's label values are strings of the text written. (null is not text: refused.)
    const plain = VALUES.filter((v) => !['~', 'null', 'Null', 'NULL'].includes(v));
    const values = numbered([...plain, '1.20', '1.0', '-0', '1E3']);
    const block = (indent: string) => Object.entries(values).map(([k, v]) => `${indent}${k}: ${v}\n`).join('');
    const dir = await makeConfigDir({
      'routes/alpha.yaml': routesFile('alpha'),
      'rules/alpha.yaml':
        'team: alpha\nnamespace: alpha-prod\nalerts:\n  - name: ApiDown\n    expr: up == 0\n    severity: warning\n' +
        `    summary: s\n    runbook: https://r.example/x\n    labels:\n${block('      ')}    annotations:\n${block('      ')}`,
    });
    const text = generateOutputs(await loadSpecsOrThrow(dir)).get(prometheusRuleFile('alpha'))!;
    for (const version of ['1.1', '1.2'] as const) {
      const rule = parseDocument(text, { version }).toJS() as {
        spec: { groups: Array<{ rules: Array<{ labels: Record<string, unknown>; annotations: Record<string, unknown> }> }> };
      };
      const alert = rule.spec.groups[0]!.rules[0]!;
      expect({ version, labels: alert.labels }).toEqual({ version, labels: { ...values, team: 'alpha', severity: 'warning' } });
      expect({ version, annotations: alert.annotations }).toEqual({ version, annotations: { ...values, summary: 's', runbook_url: 'https://r.example/x' } });
    }
  });

  it('double-quotes one-line values holding a tab: PyYAML (YAML 1.1) cannot read a tab in a plain scalar', async () => {
    const values = numbered(['tab\there', 'a\t', 'x \t y', 'say "hi"\tthere', 'k: \tv', 'multi\n\tline']);
    const dir = await makeConfigDir({
      'routes/alpha.yaml': routesFile('alpha'),
      'rules/alpha.yaml':
        'team: alpha\nnamespace: alpha-prod\nalerts:\n  - name: ApiDown\n    expr: up == 0\n    severity: warning\n' +
        `    summary: s\n    runbook: https://r.example/x\n    labels:\n${quotedMap(values, '      ')}    annotations:\n${quotedMap(values, '      ')}`,
    });
    const text = generateOutputs(await loadSpecsOrThrow(dir)).get(prometheusRuleFile('alpha'))!;
    const doc = parseDocument(text, { version: '1.1' });
    const plainWithTab: string[] = [];
    visit(doc, {
      Scalar(_k, node) {
        if (node.type === 'PLAIN' && typeof node.source === 'string' && node.source.includes('\t')) plainWithTab.push(node.source);
      },
    });
    expect(plainWithTab).toEqual([]);
    expect(text).toContain('v0: "tab\\there"\n');
    const alert = (doc.toJS() as RuleObject).spec.groups[0]!.rules[0]!;
    expect(alert.labels).toEqual({ ...values, team: 'alpha', severity: 'warning' });
    if (pyyaml) {
      const script = 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))';
      const read = JSON.parse(execFileSync(pyyaml, ['-c', script], { input: text }).toString()) as RuleObject;
      expect(read.spec.groups[0]!.rules[0]!.annotations).toEqual({ ...values, summary: 's', runbook_url: 'https://r.example/x' });
    }
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateAgainstSchema, type OpenApiSchema } from './openapi-schema.js';

const crd = parse(readFileSync(new URL('../../test/fixtures/prometheusrule-crd.yaml', import.meta.url), 'utf8')) as {
  spec: { versions: Array<{ schema: { openAPIV3Schema: OpenApiSchema } }> };
};
const schema = crd.spec.versions[0]!.schema.openAPIV3Schema;

const valid = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'x', namespace: 'y', labels: { role: 'alert-rules' } },
  spec: { groups: [{ name: 'g', partial_response_strategy: 'WARN', rules: [{ alert: 'A', expr: 'up == 0', for: '5m', labels: { team: 't' } }] }] },
};

describe('validateAgainstSchema with the PrometheusRule CRD', () => {
  it('accepts a valid object (including the (?i) pattern)', () => {
    expect(validateAgainstSchema(valid, schema)).toEqual([]);
  });

  it.each([
    ['a bad duration', (o: any) => (o.spec.groups[0].rules[0].for = '1.5h'), 'spec.groups[0].rules[0].for', 'must match'],
    ['a missing expr', (o: any) => delete o.spec.groups[0].rules[0].expr, 'spec.groups[0].rules[0]', 'missing required field "expr"'],
    ['a non-string label', (o: any) => (o.spec.groups[0].rules[0].labels.team = 1), 'spec.groups[0].rules[0].labels.team', 'type string'],
    ['an unknown field', (o: any) => (o.spec.groups[0].rules[0].runbook = 'x'), 'spec.groups[0].rules[0].runbook', 'unknown field'],
    ['an empty group name', (o: any) => (o.spec.groups[0].name = ''), 'spec.groups[0].name', 'at least 1'],
    ['a missing spec', (o: any) => delete o.spec, '(root)', 'missing required field "spec"'],
  ])('rejects %s', (_what, mutate, path, message) => {
    const o = structuredClone(valid);
    mutate(o);
    const errors = validateAgainstSchema(o, schema);
    expect(errors).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('accepts an integer expr (x-kubernetes-int-or-string) but not a boolean', () => {
    const o = structuredClone(valid) as any;
    o.spec.groups[0].rules[0].expr = 1;
    expect(validateAgainstSchema(o, schema)).toEqual([]);
    o.spec.groups[0].rules[0].expr = true;
    expect(validateAgainstSchema(o, schema)).not.toEqual([]);
  });
});

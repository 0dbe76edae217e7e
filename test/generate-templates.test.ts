/**
 * Acceptance: alert text is checked as the Go template Prometheus parses it. The checker
 * (config/go-template.ts) agrees with the real `promtool check rules` on which templates parse,
 * for annotations and labels alike; `validate` reports exactly those alerts, each at its
 * character; and `alertgate validate` prints them as `rules/<team>.yaml:LINE:COL message`.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../src/cli/main.js';
import { findGoTemplateError } from '../src/config/go-template.js';
import { loadTeamSpecs } from '../src/config/load-team-specs.js';
import { formatSourceError } from '../src/config/source-error.js';
import { requireBinary } from '../src/testing/binaries.js';
import { makeConfigDir, removeTempDirs, REPO_ROOT, routesFile, routeTeamsOf } from './generate-helpers.js';

const run = promisify(execFile);
const promtool = requireBinary('promtool');

afterAll(removeTempDirs);

/** Valid and invalid templates; promtool is the judge of which is which. */
const TEMPLATES: string[] = [
  '{{ $labels.instance }} of job {{ $labels.job }} has been down for more than 5 minutes.',
  'Instance {{ $labels.instance is down',
  '{{ $labels.instance',
  '{{ end }}',
  '{{ if .Value }}firing',
  '{{ humanise $value }}',
  '{{ $undefinedVar }}',
  '{{ | }}',
  '{{ $value | humanizePercentage }}',
  '{{ with query "up" }}{{ . | first | value | humanize }}{{ end }}',
  '{{ range $i, $v := .Labels }}{{ $i }}={{ $v }}{{ end }}',
  '{{- $value -}} trimmed {{- /* a comment */ -}}',
  '{{ printf "%s at %.2f (%d)" $labels.instance $value 3 }}',
  '{{ printf "%v" (len (index $labels "a")) }}',
  '{{ if gt $value 0.5 }}a{{ else if lt $value 0.1 }}b{{ else }}c{{ end }}',
  '{ not an action } and }} alone',
  '{{ if . }}{{ else }}{{ else }}{{ end }}',
  '{{ range . }}{{ break }}{{ end }}{{ continue }}',
  '{{ .Value | 3 }}',
  '{{ 3 | printf "%d" }}',
  '{{ "x".Field }}',
  '{{ if . }}{{ $y := 1 }}{{ end }}{{ $y }}',
  '{{ if $z := $labels.a }}{{ $z }}{{ else }}{{ $z }}{{ end }}',
  '{{ range $a, $b, $c := . }}{{ end }}',
  '{{ define "d" }}{{ $labels }}{{ end }}',
  '{{ define "d" }}{{ . }}{{ end }}{{ template "d" $labels }}',
  '{{ (1 }}',
  '{{ "\\q" }}',
  '{{ "\\x41\\u00e9\\101" }} {{ `raw` }} {{ \'c\' }}',
  "{{ 'ab' }}",
  '{{ 0x1F }} {{ 1_000 }} {{ 1.5e3 }} {{ -2 }} {{ 1+2i }}',
  '{{ 089 }}',
  '{{ 1e400 }}',
  '{{ a-b }}',
  '{{ /* a comment needs no space */ }}',
  '{{/* unclosed comment',
  '{{ $labels.instance\n  | toUpper }}',
  '{{ $externalLabels.cluster }} {{ $externalURL }} {{ $.Labels.job }}',
  '{{ reReplaceAll "(.*):.*" "$1" $labels.instance | stripDomain | title }}',
  '{{ tmpl "console-only" . }}',
];

/**
 * Accepted on purpose though promtool 2.42 (built with Go 1.19) refuses them: newer Prometheus
 * releases define these functions, and Go 1.23 added `{{else with}}`. Validation never refuses
 * what a Prometheus release accepts.
 */
const NEWER: Array<[string, RegExp]> = [
  ['{{ toDuration 90 }}', /function "toDuration" not defined/],
  ['{{ now | toTime }}', /function "now" not defined/],
  ['{{ urlQueryEscape $labels.job }}', /function "urlQueryEscape" not defined/],
  ['{{ with $labels.a }}{{ . }}{{ else with $labels.b }}{{ . }}{{ end }}', /unexpected <with> in else/],
];

/** promtool's verdict on each template, in an annotation and in a label: index → error (absent: parses). */
async function promtoolVerdicts(templates: string[]): Promise<{ annotation: Map<number, string>; label: Map<number, string> }> {
  const dir = await makeConfigDir({});
  const file = path.join(dir, 'templates.rules.yaml');
  const rules = templates.map((t, i) => ({ alert: `T${i}`, expr: 'up == 0', labels: { t }, annotations: { summary: t } }));
  await writeFile(file, stringify({ groups: [{ name: 'templates', rules }] }, { lineWidth: 0 }));
  const out = await run(promtool!, ['check', 'rules', file]).then(
    (r) => r.stdout + r.stderr,
    (err: { stdout: string; stderr: string }) => err.stdout + err.stderr,
  );
  const verdicts = { annotation: new Map<number, string>(), label: new Map<number, string>() };
  for (const m of out.matchAll(/"T(\d+)": (annotation|label) "\w+": (.*)/g)) verdicts[m[2] as 'annotation' | 'label'].set(Number(m[1]), m[3]!);
  return verdicts;
}

describe.skipIf(!promtool)('the Go template check agrees with promtool check rules', () => {
  let verdicts: Awaited<ReturnType<typeof promtoolVerdicts>>;
  beforeAll(async () => {
    verdicts = await promtoolVerdicts([...TEMPLATES, ...NEWER.map(([t]) => t)]);
  });

  it('promtool rejects some of the templates and accepts the others (the comparison means something)', () => {
    expect(verdicts.annotation.size).toBeGreaterThanOrEqual(15);
    expect(verdicts.annotation.size).toBeLessThanOrEqual(TEMPLATES.length - 15 + NEWER.length);
  });

  it.each(TEMPLATES.map((t, i) => [i, t] as const))('template %i %j: same verdict, for an annotation and a label', (i, t) => {
    const ours = findGoTemplateError(t);
    const theirs = verdicts.annotation.get(i);
    expect(ours ? 'rejected' : 'accepted', `ours: ${ours?.message ?? '-'}; promtool: ${theirs ?? '-'}`).toBe(theirs ? 'rejected' : 'accepted');
    expect(verdicts.label.get(i)).toBe(theirs);
    // Go's message, without the detail ours adds after a colon ("unexpected EOF: missing {{end}} for {{if}}").
    if (ours && theirs) expect(theirs).toContain(ours.message.replace(/^(unexpected EOF|invalid syntax): .*$/, '$1'));
  });

  it.each(NEWER.map(([t, why], i) => [TEMPLATES.length + i, t, why] as const))(
    'template %i %j: accepted, as newer Prometheus releases do',
    (i, t, why) => {
      expect(findGoTemplateError(t)).toBeUndefined();
      const theirs = verdicts.annotation.get(i);
      if (theirs !== undefined) expect(theirs).toMatch(why);
    },
  );
});

describe('validate reports each alert text that is no Go template', () => {
  it('for exactly the alerts whose template does not parse, at the offending character', async () => {
    const alerts = TEMPLATES.map((t, i) => ({ name: `T${i}`, expr: 'up == 0', severity: 'warning', summary: t, runbook: 'https://runbooks.example/t' }));
    const dir = await makeConfigDir({
      'routes/acme.yaml': routesFile('acme'),
      'routes/platform.yaml': routesFile('platform'),
      'rules/acme.yaml': stringify({ team: 'acme', namespace: 'acme-prod', alerts }, { lineWidth: 0 }),
    });
    const r = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    const reported = r.errors.map(formatSourceError);
    const expected = TEMPLATES.flatMap((t, i) => {
      const err = findGoTemplateError(t);
      return err ? [`alerts[${i}].summary: Go template error: ${err.message}`] : [];
    });
    expect(expected.length).toBeGreaterThanOrEqual(15);
    expect(reported).toHaveLength(expected.length);
    expected.forEach((fragment, k) => expect(reported[k]).toMatch(new RegExp(`^rules/acme\\.yaml:\\d+:\\d+ ${escapeRegExp(fragment)}`)));
  });
});

describe('alertgate validate on alert text with broken templates', () => {
  it('prints every template error as rules/<team>.yaml:LINE:COL message and exits 1', async () => {
    const out: string[] = [];
    const code = await main(['validate'], {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
      env: { ALERTGATE_CONFIG_DIR: 'test/fixtures/templates-broken' },
      cwd: REPO_ROOT,
    });
    expect(code).toBe(1);
    const hint = ' (Prometheus expands alert annotations and labels as Go templates)';
    expect(out.join('\n').split('\n').filter((l) => l !== '')).toEqual([
      `rules/payments.yaml:15:44 alerts[1].summary: Go template error: function "is" not defined${hint}`,
      `rules/payments.yaml:18:25 alerts[1].description: Go template error: function "humanise" not defined${hint}`,
      `rules/payments.yaml:21:27 alerts[1].labels.instance_short: Go template error: undefined variable "$instance"${hint}`,
      `rules/payments.yaml:23:19 alerts[1].annotations.dashboard: Go template error: unexpected EOF: missing {{end}} for {{if}}${hint}`,
      `rules/payments.yaml:30:28 slos[0].description: Go template error: unexpected {{end}}${hint}`,
      'invalid: 5 errors, 0 warnings',
    ]);
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

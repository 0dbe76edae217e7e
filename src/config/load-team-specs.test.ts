import { afterAll, describe, expect, it } from 'vitest';
import { generateOutputs } from '../generate/outputs.js';
import { formatSourceError } from './source-error.js';
import { loadTeamSpecs } from './load-team-specs.js';
import { NOT_QUICK, quickYamlValue } from './yaml-quick.js';
import { copyOfShippedConfig, makeConfigDir, REPO_ROOT, routesFile, routeTeamsOf, removeTempDirs } from '../../test/generate-helpers.js';

const RULES = (team: string, extra = '') => `team: ${team}
namespace: ${team}-prod
alerts:
  - name: Down
    expr: up == 0
    severity: critical
    summary: down
    runbook: https://runbooks.example/down
${extra}`;

async function load(files: Record<string, string>, severities?: string[], rulesOnly?: boolean) {
  const dir = await makeConfigDir(files);
  const r = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir), ...(severities && { severities }), ...(rulesOnly && { rulesOnly }) });
  const show = (list: typeof r.errors) => list.map(formatSourceError);
  return { ...r, errorLines: show(r.errors), warningLines: show(r.warnings) };
}

/** load() of team alpha's routes file and the rules file given. */
function loadAlphaRules(rules: string, severities?: string[]) {
  return load({ 'routes/alpha.yaml': routesFile('alpha'), 'rules/alpha.yaml': rules }, severities);
}

const repoRouteTeams = await routeTeamsOf(REPO_ROOT);

afterAll(removeTempDirs);

describe('loadTeamSpecs', () => {
  it('loads the shipped example estate without errors', async () => {
    const dir = await copyOfShippedConfig();
    const r = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    expect(r.errors.map(formatSourceError)).toEqual([]);
    expect(r.specs?.teams.map((t) => t.team)).toEqual(['payments', 'platform', 'prisons', 'probation']);
  });

  it.skipIf(repoRouteTeams.size === 0)('validates against the real routes/ of the repository', async () => {
    const r = await loadTeamSpecs(REPO_ROOT, { routeTeams: repoRouteTeams });
    expect(r.errors.map(formatSourceError)).toEqual([]);
  });

  it('treats missing rules/ and dashboards/ as an empty estate', async () => {
    const r = await load({});
    expect(r.errors).toEqual([]);
    expect(r.specs).toEqual({ teams: [] });
  });

  it('gives an error at the folder, not a throw, for a rules/ or dashboards/ it cannot read', async () => {
    // A file where the folder should be: readdir fails with ENOTDIR (a folder without read
    // permission fails with EACCES the same way, for a non-root user).
    const r = await load({ rules: 'not a folder\n', dashboards: 'nor this\n' });
    expect(r.specs).toBeUndefined();
    expect(r.errorLines).toEqual(['dashboards/:1:1 cannot read dashboards/: ENOTDIR', 'rules/:1:1 cannot read rules/: ENOTDIR']);
  });

  it('rejects an empty file and a dashboards/ team without a routes file', async () => {
    const r = await load({
      'routes/alpha.yaml': routesFile('alpha'),
      'rules/alpha.yaml': '# nothing yet\n',
      'dashboards/gamma.yaml': 'team: gamma\nnamespace: gamma-prod\ndashboards: []\n',
    });
    expect(r.errorLines).toEqual([
      'dashboards/gamma.yaml:1:7 team: "gamma" has no routes/gamma.yaml: every team in dashboards/ needs one',
      'rules/alpha.yaml:1:1 the file holds only comments: expected a team rules document (team: …)',
    ]);
  });

  it('refuses a second file for the same team (.yaml and .yml), whether or not the first parses', async () => {
    const routes = { 'routes/alpha.yaml': routesFile('alpha') };
    const both = await load({ ...routes, 'rules/alpha.yaml': RULES('alpha'), 'rules/alpha.yml': RULES('alpha') });
    expect(both.errorLines).toEqual(['rules/alpha.yml:1:1 rules/ has two files for team "alpha" (.yaml and .yml); keep one']);
    const broken = await load({ ...routes, 'rules/alpha.yaml': 'team: [alpha\n', 'rules/alpha.yml': RULES('alpha') });
    expect(broken.specs).toBeUndefined();
    expect(broken.errorLines.filter((l) => l.startsWith('rules/alpha.yml'))).toEqual([
      'rules/alpha.yml:1:1 rules/ has two files for team "alpha" (.yaml and .yml); keep one',
    ]);
    expect(broken.errorLines.some((l) => l.startsWith('rules/alpha.yaml:'))).toBe(true);
  });

  it('rejects uid and title collisions across teams, pointing at both places', async () => {
    const board = (team: string) => `team: ${team}
namespace: ${team}-prod
folder: Shared
dashboards:
  - title: Overview
    uid: shared-overview
    panels:
      - { title: Up, type: stat, expr: sum(up) }
`;
    const r = await load({
      'routes/alpha.yaml': routesFile('alpha'),
      'routes/beta.yaml': routesFile('beta'),
      'dashboards/alpha.yaml': board('alpha'),
      'dashboards/beta.yaml': board('beta'),
    });
    expect(r.specs).toBeUndefined();
    expect(r.errorLines).toHaveLength(2);
    expect(r.errorLines[0]).toMatch(/^dashboards\/beta\.yaml:5:12 dashboard title "Shared \/ Overview" is already used by dashboards\/alpha\.yaml:5:12$/);
    expect(r.errorLines[1]).toMatch(/^dashboards\/beta\.yaml:6:10 dashboard uid "shared-overview" is already used by dashboards\/alpha\.yaml:6:10$/);
  });

  it('rejects ConfigMap key collisions across teams (`<team>-<name>-dashboard.json` is ambiguous), pointing at both places', async () => {
    // The Grafana sidecar writes every key of every ConfigMap as a file: one board would be lost.
    const board = (team: string, title: string) => `team: ${team}
namespace: ${team}-prod
folder: Payments
dashboards:
  - title: ${title}
    panels:
      - { title: Up, type: stat, expr: sum(up) }
`;
    const r = await load({
      'routes/payments.yaml': routesFile('payments'),
      'routes/payments-eu.yaml': routesFile('payments-eu'),
      'dashboards/payments.yaml': `${board('payments', 'EU Checkout')}  - title: EU uptime\n    name: eu-slos-uptime\n    panels:\n      - { title: Up, type: stat, expr: sum(up) }\n`,
      'dashboards/payments-eu.yaml': board('payments-eu', 'Checkout'),
      // payments-eu's generated SLO board is payments-eu-slos-uptime-dashboard.json.
      'rules/payments-eu.yaml': 'team: payments-eu\nnamespace: payments-eu-prod\nuptime:\n  - service: web\n    up: probe_success\n    objective: 99.9\n',
    });
    expect(r.specs).toBeUndefined();
    expect(r.errorLines).toEqual([
      'dashboards/payments-eu.yaml:5:12 dashboard ConfigMap key "payments-eu-checkout-dashboard.json" is already used by dashboards/payments.yaml:5:12',
      'rules/payments-eu.yaml:1:7 generated SLO dashboard ConfigMap key "payments-eu-slos-uptime-dashboard.json" is already used by dashboards/payments.yaml:9:11',
    ]);
    // generateOutputs refuses it too, for callers that skip validation.
    const boards = (team: string, slug: string) => ({
      team,
      dashboards: { team, file: `dashboards/${team}.yaml`, namespace: `${team}-prod`, folder: 'Payments', dashboards: [{ title: slug, slug, tags: [], panels: [{ title: 'Up', type: 'stat' as const, expr: 'up' }] }] },
    });
    expect(() => generateOutputs({ teams: [boards('payments', 'eu-checkout'), boards('payments-eu', 'checkout')] })).toThrow(
      'could not generate dashboards of team payments-eu: ConfigMap key payments-eu-checkout-dashboard.json is also used by team payments',
    );
  });

  it('rejects a team whose dashboards ConfigMap would not fit in Kubernetes\' 1 MiB, at its dashboards file (else its rules file)', async () => {
    const description = 'x'.repeat(120_000);
    const panels = Array.from({ length: 10 }, (_, i) => `      - { title: P${i}, type: stat, expr: up, description: ${description} }\n`).join('');
    // A team with only rules/ gets the generated SLO/uptime board alone: long `up` queries fill it too.
    const uptime = Array.from({ length: 10 }, (_, i) => `  - service: s${i}\n    up: probe_success{job="${'j'.repeat(40_000)}"}\n    objective: 99\n`).join('');
    const r = await load({
      'routes/alpha.yaml': routesFile('alpha'),
      'routes/beta.yaml': routesFile('beta'),
      'routes/gamma.yaml': routesFile('gamma'),
      'dashboards/alpha.yaml': `team: alpha\nnamespace: alpha-prod\ndashboards:\n  - title: Big\n    panels:\n${panels}`,
      'rules/beta.yaml': `team: beta\nnamespace: beta-prod\nuptime:\n${uptime}`,
      // Just under the limit: accepted.
      'dashboards/gamma.yaml': `team: gamma\nnamespace: gamma-prod\ndashboards:\n  - title: Big\n    panels:\n${panels.split('\n').slice(0, 8).join('\n')}\n`,
    });
    expect(r.errorLines).toHaveLength(2);
    expect(r.errorLines[0]).toMatch(
      /^dashboards\/alpha\.yaml:1:7 the dashboards ConfigMap of team "alpha" would hold 12\d{5} bytes of dashboard JSON, over the 1044480 that fit in one ConfigMap \(Kubernetes refuses objects over 1 MiB\); /,
    );
    expect(r.errorLines[1]).toMatch(/^rules\/beta\.yaml:1:7 the dashboards ConfigMap of team "beta" would hold 1\d{6} bytes of dashboard JSON, over /);
  });

  it('rejects a generated SLO alert name that collides with an alert of the team', async () => {
    const r = await loadAlphaRules(
      RULES(
        'alpha',
        `  - name: ShopErrorBudgetBurn
    expr: vector(1)
    severity: info
    summary: clash
    runbook: https://runbooks.example/clash
slos:
  - name: shop
    objective: 99
    window: 7d
    runbook: https://runbooks.example/shop
    errors: sum(rate(e[{{window}}]))
    total: sum(rate(t[{{window}}]))
`,
      ),
    );
    expect(r.errorLines).toEqual(['rules/alpha.yaml:15:11 SLO alert name "ShopErrorBudgetBurn" collides with alerts[1]; rename one of them']);
  });

  it('reports duplicate alert, SLO and uptime names even when other items of the list have errors', async () => {
    // zod skips a list's refinements once an item fails; validate must still report every error.
    const r = await loadAlphaRules(`team: alpha
namespace: alpha-prod
alerts:
  - name: ApiDown
    expr: up == 0
    severity: page
    summary: down
    runbok: https://r.example/x
  - name: ApiDown
    expr: up == 0
    severity: warning
    summary: down
    runbook: https://r.example/x
slos:
  - name: api
    objective: 100
    window: 30d
    errors: sum(rate(e[{{window}}]))
    total: sum(rate(t[{{window}}]))
  - name: api
    objective: 99.9
    window: 30d
    errors: sum(rate(e[{{window}}]))
    total: sum(rate(t[{{window}}]))
uptime:
  - service: api
    up: up
    objective: 99.9
  - service: api
    up: up
    objective: 0
`);
    expect(r.errorLines).toEqual(
      expect.arrayContaining([
        'rules/alpha.yaml:9:11 alerts[1].name: duplicate alert name "ApiDown" (first defined at line 4, alerts[0])',
        'rules/alpha.yaml:20:11 slos[1].name: duplicate SLO name "api" (first defined at line 15, slos[0])',
        'rules/alpha.yaml:29:14 uptime[1].service: duplicate uptime service "api" (first defined at line 26, uptime[0])',
      ]),
    );
    // The other errors are still there, each once.
    expect(r.errorLines.filter((l) => l.includes('duplicate'))).toHaveLength(3);
    expect(r.errorLines).toContain('rules/alpha.yaml:6:15 alerts[0].severity: expected one of critical, warning, info, found the text "page"');
  });

  it('warns (without failing) about an SLO without a runbook', async () => {
    const r = await loadAlphaRules(RULES('alpha', 'slos:\n  - name: shop\n    objective: 99.5\n    window: 30d\n    errors: sum(rate(e[{{window}}]))\n    total: sum(rate(t[{{window}}]))\n'));
    expect(r.errors).toEqual([]);
    expect(r.specs).toBeDefined();
    expect(r.warningLines).toEqual(['rules/alpha.yaml:10:5 warning: SLO "shop" has no runbook: its burn-rate alerts get no runbook_url']);
  });

  it('rejects an SLO whose errors and total are grouped by different labels (they never divide: errors would read 0), and accepts the same grouping written either way', async () => {
    const slo = (name: string, errors: string, total: string) =>
      `  - { name: ${name}, objective: 99, window: 30d, runbook: https://r.example/x, errors: '${errors}', total: '${total}' }\n`;
    const rate = (m: string) => `rate(${m}[{{window}}])`;
    const files = {
      'routes/alpha.yaml': routesFile('alpha'),
      'rules/alpha.yaml': RULES(
        'alpha',
        `slos:\n${[
          slo('extra-label', `sum by (route, code) (${rate('e')})`, `sum by (route) (${rate('t')})`),
          slo('ungrouped-errors', `sum(${rate('e')})`, `sum by (route) (${rate('t')})`),
          slo('ungrouped-total', `sum by (route) (${rate('e')})`, `sum(${rate('t')})`),
          // Accepted: equal groupings in either position and order, and what a scan cannot read.
          slo('same', `sum(${rate('e')}) by (code, route)`, `sum by (route,code) (${rate('t')})`),
          slo('both-ungrouped', `sum(${rate('e')})`, `count(${rate('t')})`),
          slo('without', `sum without (code) (${rate('e')})`, `sum by (route) (${rate('t')})`),
          slo('binary', `sum(${rate('a')}) - sum(${rate('b')})`, `sum by (route) (${rate('t')})`),
        ].join('')}`,
      ),
    };
    const r = await load(files);
    expect(r.errorLines).toEqual([
      'rules/alpha.yaml:10:92 slos[0]: errors is grouped by (code, route) but total by (route): the error ratio divides series with equal labels, so these never divide (the ratio would never be recorded, or read 0 errors); group both by the same labels',
      'rules/alpha.yaml:11:97 slos[1]: errors is grouped by no label but total by (route): the error ratio divides series with equal labels, so these never divide (the ratio would never be recorded, or read 0 errors); group both by the same labels',
      'rules/alpha.yaml:12:96 slos[2]: errors is grouped by (route) but total by no label: the error ratio divides series with equal labels, so these never divide (the ratio would never be recorded, or read 0 errors); group both by the same labels',
    ]);
    // Uptime reports read rules/ too, but not the SLOs: such a file must not stop every team's report.
    const forUptime = await load(files, undefined, true);
    expect(forUptime.errorLines).toEqual([]);
    expect(forUptime.specs?.teams.map((t) => t.team)).toEqual(['alpha']);
  });

  it('accepts a configured severity set instead of the default', async () => {
    const rules = RULES('alpha').replace('severity: critical', 'severity: page');
    expect((await loadAlphaRules(rules)).errorLines).toEqual(['rules/alpha.yaml:6:15 alerts[0].severity: expected one of critical, warning, info, found the text "page"']);
    expect((await loadAlphaRules(rules, ['page', 'ticket'])).errors).toEqual([]);
  });

  it('rejects a team name ending in "-" in rules/ and dashboards/: it would be the Kubernetes label value team=web-', async () => {
    const r = await load({
      'routes/web-.yaml': routesFile('web-'),
      'rules/web-.yaml': RULES('web-').replace('namespace: web--prod', 'namespace: web-prod'),
      'dashboards/web-.yaml': 'team: web-\nnamespace: web-prod\ndashboards: []\n',
    });
    const why = 'team name must end with a letter or digit: it becomes the Kubernetes label value team=web- of the generated PrometheusRule and ConfigMap';
    expect(r.specs).toBeUndefined();
    expect(r.errorLines).toEqual([
      expect.stringMatching(new RegExp(`^dashboards/web-\\.yaml:1:7 team: ${why}`)),
      expect.stringMatching(new RegExp(`^rules/web-\\.yaml:1:7 team: ${why}`)),
    ]);
    // One message per name: a name the contract's pattern refuses is not also told about its end.
    const bad = await loadAlphaRules(RULES('alpha').replace('team: alpha', 'team: Alpha_'));
    expect(bad.errorLines.filter((l) => l.startsWith('rules/alpha.yaml:1:7'))).toEqual([
      'rules/alpha.yaml:1:7 team: "Alpha_" does not match the file name: rules/alpha.yaml must hold team "alpha"',
      'rules/alpha.yaml:1:7 team: "Alpha_" is not a team name: a team name is lower-case letters, digits and "-", starting with a letter (^[a-z][a-z0-9-]{1,62}$), such as "alpha"',
    ]);
  });

  it('rejects labels and annotations that would override what alertgate sets', async () => {
    const r = await loadAlphaRules(RULES('alpha', '    labels: { team: other }\n    annotations: { runbook_url: x }\n'));
    expect(r.errorLines).toEqual([
      'rules/alpha.yaml:9:21 alerts[0].labels.team: "team" is set by alertgate and cannot be given in labels',
      'rules/alpha.yaml:10:33 alerts[0].annotations.runbook_url: "runbook_url" is set by alertgate and cannot be given in annotations',
    ]);
  });

  it('rejects an alert description given twice, as `description` and as annotations.description (one silently replaced the other)', async () => {
    const twice = '    description: from the field\n    annotations: { dashboard: x, description: from the map }\n';
    const r = await load({
      'routes/alpha.yaml': routesFile('alpha'),
      'rules/alpha.yaml': RULES('alpha', twice),
      // Reported with the file's other errors, not only once the schema passes.
      'routes/beta.yaml': routesFile('beta'),
      'rules/beta.yaml': RULES('beta', `${twice}    for: soon\n`),
    });
    const why = 'the alert\'s description is given twice, here and as alerts[0].description (both become its "description" annotation); keep one';
    expect(r.errorLines).toEqual([
      `rules/alpha.yaml:10:47 alerts[0].annotations.description: ${why}`,
      `rules/beta.yaml:10:47 alerts[0].annotations.description: ${why}`,
      expect.stringMatching(/^rules\/beta\.yaml:11:\d+ alerts\[0\]\.for: /),
    ]);
  });

  it('takes an alert description from either `description` or annotations.description', async () => {
    const r = await loadAlphaRules(`${RULES('alpha', '    description: from the field\n')}  - name: Other\n    expr: up == 0\n    severity: info\n    summary: s\n    runbook: https://r.example/x\n    annotations: { description: from the map }\n`);
    expect(r.errorLines).toEqual([]);
    const text = [...generateOutputs(r.specs!).values()].join('\n');
    expect(text).toContain('description: from the field');
    expect(text).toContain('description: from the map');
  });

  it('rejects rule label names starting with "__" (reserved by Prometheus; promtool refuses __name__), not annotation names', async () => {
    const r = await loadAlphaRules(RULES('alpha', '    labels:\n      __name__: foo\n      __tier: gold\n      _ok: yes\n    annotations: { __note: x }\n'));
    const why = 'label names starting with "__" are reserved for Prometheus\' internal use (promtool check rules refuses __name__)';
    expect(r.errorLines).toEqual([
      `rules/alpha.yaml:10:17 alerts[0].labels.__name__: "__name__" cannot be given in labels: ${why}`,
      `rules/alpha.yaml:11:15 alerts[0].labels.__tier: "__tier" cannot be given in labels: ${why}`,
    ]);
  });

  it('refuses a rule label named __proto__ like any "__" name, and keeps an annotation of that name (zod\'s record skipped both unchecked)', async () => {
    const why = 'label names starting with "__" are reserved for Prometheus\' internal use (promtool check rules refuses __name__)';
    const r = await loadAlphaRules(RULES('alpha', '    labels:\n      __proto__: x\n'));
    expect(r.errorLines).toEqual([`rules/alpha.yaml:10:18 alerts[0].labels.__proto__: "__proto__" cannot be given in labels: ${why}`]);

    const kept = await loadAlphaRules(RULES('alpha', '    annotations:\n      __proto__: "{{ $labels.pod }} kept"\n      other: 1.20\n'));
    expect(kept.errorLines).toEqual([]);
    const annotations = kept.specs!.teams[0]!.rules!.alerts[0]!.annotations;
    expect(Object.hasOwn(annotations, '__proto__') ? annotations['__proto__'] : 'missing').toBe('{{ $labels.pod }} kept');
    const text = [...generateOutputs(kept.specs!).values()].join('\n');
    expect(text).toContain('__proto__: "{{ $labels.pod }} kept"');
    expect(text).toContain('other: "1.20"');

    const notText = await loadAlphaRules(RULES('alpha', '    annotations:\n      __proto__: [x]\n'));
    expect(notText.errorLines).toEqual(['rules/alpha.yaml:10:18 alerts[0].annotations.__proto__: values in annotations must be text (quote the value)']);
  });

  it('keeps the text of unquoted numbers and booleans in labels and annotations, as Prometheus reads a rule file', async () => {
    const extra = [
      '    labels: { version: 1.20, code: 0x1F, big: 1e3, flag: True, tier: 1, inf: .inf, octal: 007, plus: +1 }',
      '    annotations:',
      '      ratio: 0.50',
      '',
    ].join('\n');
    const text = RULES('alpha', extra);
    // The same file read quickly (js-yaml) and, with a directive, only by yaml (yaml-quick.ts): the same text either way.
    const slow = `%YAML 1.2\n---\n${text.replaceAll('alpha', 'beta')}`;
    // An alias leaves a file to yaml too; the text is the anchored node's.
    const aliased = text.replaceAll('alpha', 'gamma').replace('      ratio: 0.50\n', '      ratio: &n 0.50\n      again: *n\n');
    expect(quickYamlValue(text)).not.toBe(NOT_QUICK);
    const r = await load({
      'routes/alpha.yaml': routesFile('alpha'),
      'routes/beta.yaml': routesFile('beta'),
      'routes/gamma.yaml': routesFile('gamma'),
      'rules/alpha.yaml': text,
      'rules/beta.yaml': slow,
      'rules/gamma.yaml': aliased,
    });
    expect(r.errorLines).toEqual([]);
    expect(r.specs!.teams).toHaveLength(3);
    for (const team of r.specs!.teams) {
      const alert = team.rules!.alerts[0]!;
      expect(alert.labels).toEqual({ version: '1.20', code: '0x1F', big: '1e3', flag: 'True', tier: '1', inf: '.inf', octal: '007', plus: '+1' });
      expect(alert.annotations).toEqual({ ratio: '0.50', ...(team.team === 'gamma' && { again: '0.50' }) });
    }
  });

  it('refuses a label or annotation value that is not text (an empty value, a list), at the value', async () => {
    const r = await loadAlphaRules(RULES('alpha', '    labels:\n      owner: ~\n    annotations:\n      links: [a, b]\n'));
    expect(r.errorLines).toEqual([
      'rules/alpha.yaml:10:14 alerts[0].labels.owner: values in labels must be text (quote the value)',
      'rules/alpha.yaml:12:14 alerts[0].annotations.links: values in annotations must be text (quote the value)',
    ]);
  });

  it.each([
    ['0', true],
    ['30s', true],
    ['1h30m', true],
    ['1y2w3d4h5m6s7ms', true],
    ['1.5h', false],
    ['30m1h', false],
    ['5 m', false],
    ['', false],
  ])('accepts `for: "%s"` only when Prometheus does (%s)', async (value, ok) => {
    const r = await loadAlphaRules(RULES('alpha').replace('    severity: critical', `    for: "${value}"\n    severity: critical`));
    expect(r.errors.length === 0).toBe(ok);
  });

  it('builds the same model from a file read quickly as from one only yaml reads', async () => {
    const text = RULES('alpha', 'slos:\n  - name: checkout\n    objective: 99.9\n    window: 30d\n    runbook: https://r.example/c\n    errors: |\n      sum(rate(e[{{window}}]))\n    total: sum(rate(t[{{window}}]))\n');
    // A directive leaves a file to yaml (yaml-quick.ts); without one this file is read quickly.
    const slow = `%YAML 1.2\n---\n${text.replaceAll('alpha', 'beta')}`;
    expect(quickYamlValue(text)).not.toBe(NOT_QUICK);
    expect(quickYamlValue(slow)).toBe(NOT_QUICK);
    const r = await load({ 'routes/alpha.yaml': routesFile('alpha'), 'routes/beta.yaml': routesFile('beta'), 'rules/alpha.yaml': text, 'rules/beta.yaml': slow });
    expect(r.errorLines).toEqual([]);
    const [alpha, beta] = r.specs!.teams;
    expect(JSON.parse(JSON.stringify(beta).replaceAll('beta', 'alpha'))).toEqual(alpha);
    expect(alpha?.rules?.slos[0]?.errors).toBe('sum(rate(e[{{window}}]))');
  });

  it('checks the PromQL of an expression given by an alias', async () => {
    const r = await loadAlphaRules(`team: alpha
namespace: alpha-prod
x-broken: &broken sum(up) ==
alerts:
  - name: Down
    expr: *broken
    severity: critical
    summary: down
    runbook: https://runbooks.example/down
`);
    expect(r.errorLines).toContain('rules/alpha.yaml:6:11 alerts[0].expr: PromQL syntax error: unexpected end of expression');
  });
});

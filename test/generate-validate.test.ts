/**
 * Acceptance: broken rules/ and dashboards/ files → every error at once, each as
 * `file:line:col message`, PromQL syntax and type errors at the offending character inside the YAML.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { loadTeamSpecs } from '../src/config/load-team-specs.js';
import { formatSourceError } from '../src/config/source-error.js';
import { makeConfigDir, removeTempDirs, REPO_ROOT, routesFile, routeTeamsOf } from './generate-helpers.js';

const BROKEN = path.join(REPO_ROOT, 'test/fixtures/specs-broken');

/** alertgate run in `cwd` with `args`: its exit code and what it printed, stdout and stderr together, as written. */
async function alertgate(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await main(args, { stdout: (t) => lines.push(t), stderr: (t) => lines.push(t), env, cwd });
  return { code, lines };
}

/** `alertgate validate` over one team's routes file and the rules and dashboards files given: its exit code and the lines it printed. */
async function validateTeam(team: string, files: { rules?: string; boards?: string }): Promise<{ code: number; lines: string[] }> {
  const dir = await makeConfigDir({
    [`routes/${team}.yaml`]: routesFile(team),
    ...(files.rules === undefined ? {} : { [`rules/${team}.yaml`]: files.rules }),
    ...(files.boards === undefined ? {} : { [`dashboards/${team}.yaml`]: files.boards }),
  });
  const { code, lines } = await alertgate(['validate'], REPO_ROOT, { ALERTGATE_CONFIG_DIR: dir, FALLBACK_TEAM: team });
  return { code, lines: lines.join('\n').split('\n').filter((l) => l !== '') };
}

/** `alertgate validate` of one team's files exits 1, having printed exactly `expected`. */
async function expectInvalid(team: string, files: { rules?: string; boards?: string }, expected: unknown[]): Promise<void> {
  const { code, lines } = await validateTeam(team, files);
  expect(code).toBe(1);
  expect(lines).toEqual(expected);
}

/** A team's file, rules or dashboards: its team and namespace (`<team>-prod`), then the `body` lines. */
function teamFile(team: string, body: string[]): string {
  return [`team: ${team}`, `namespace: ${team}-prod`, ...body, ''].join('\n');
}

/** The YAML lines of one alert of a rules file: name, expr, then the `extra` fields, then a warning's severity, summary and runbook. */
function alertYaml(name: string, expr: string, extra: string[] = []): string[] {
  return [`  - name: ${name}`, `    expr: ${expr}`, ...extra.map((l) => `    ${l}`), '    severity: warning', '    summary: s', '    runbook: https://runbooks.example/x'];
}

/** The `slos:` lines of a rules file with one SLO: 99.9 % over `window`, of http_requests_total unless `total` says otherwise. */
function sloYaml(slo: { errors: string; name?: string; window?: string; total?: string }): string[] {
  return [
    'slos:',
    `  - name: ${slo.name ?? 'availability'}`,
    '    objective: 99.9',
    `    window: ${slo.window ?? '30d'}`,
    '    runbook: https://runbooks.example/slo',
    `    errors: ${slo.errors}`,
    `    total: ${slo.total ?? 'sum(rate(http_requests_total[{{window}}]))'}`,
  ];
}

/** The YAML lines of one panel of a dashboards file: title, type, expr, then the `extra` fields. */
function panelYaml(title: string, type: string, expr: string, extra: string[] = []): string[] {
  return [`      - title: ${title}`, `        type: ${type}`, `        expr: ${expr}`, ...extra.map((l) => `        ${l}`)];
}

/** A team's dashboards file: one dashboard, titled `title`, of the panel lines given (its first panel at line 6). */
function boardsYaml(team: string, title: string, panelLines: string[]): string {
  return teamFile(team, ['dashboards:', `  - title: ${title}`, '    panels:', ...panelLines]);
}

/** Team web's dashboards file: one dashboard, "Web", of the panel lines given (its first panel at line 6). */
function webBoards(panelLines: string[]): string {
  return boardsYaml('web', 'Web', panelLines);
}

/** Team web's dashboards file: one dashboard, "Big", of `count` stat panels with a description of `descriptionBytes` each. */
/** Team web's rules file of `count` alerts, each with a description of `descriptionBytes`. */
function bigRules(count: number, descriptionBytes: number): string {
  return teamFile('web', ['alerts:', ...Array.from({ length: count }, (_, i) => alertYaml(`Big${i}`, 'up == 0', [`description: ${'x'.repeat(descriptionBytes)}`])).flat()]);
}

function bigBoards(count: number, descriptionBytes: number): string {
  return boardsYaml('web', 'Big', Array.from({ length: count }, (_, i) => panelYaml(`P${i}`, 'stat', 'up', [`description: ${'x'.repeat(descriptionBytes)}`])).flat());
}

/** Expected `file:line:col` → a fragment of the message. */
const EXPECTED: Array<[string, string]> = [
  ['dashboards/payments.yaml:10:16', 'width is in grid columns: 1 to 24'],
  ['dashboards/payments.yaml:13:15', 'type: expected one of timeseries, stat, gauge, table, found the text "piechart"'],
  ['dashboards/payments.yaml:17:49', 'PromQL syntax error: unexpected "by"'],
  ['rules/orphans.yaml:1:7', 'team: "orphans" has no routes/orphans.yaml'],
  ['rules/payments.yaml:10:11', 'duplicate alert name "CheckoutDown"'],
  ['rules/payments.yaml:11:44', 'PromQL syntax error: unexpected "checkout"'], // plain scalar
  ['rules/payments.yaml:12:10', 'for: "1.5h" is not a Prometheus duration'],
  ['rules/payments.yaml:13:15', 'severity: expected one of critical, warning, info, found the text "urgent"'],
  ['rules/payments.yaml:17:34', 'PromQL syntax error: unexpected "*"'], // double-quoted, after \" escapes
  ['rules/payments.yaml:24:11', 'PromQL syntax error: unexpected ">"'], // second line of a block scalar
  ['rules/payments.yaml:30:16', 'objective must be a percentage strictly between 0 and 100'],
  ['rules/payments.yaml:31:13', 'window: "30days" is not a non-zero Prometheus duration'],
  ['rules/payments.yaml:32:13', 'errors must contain the {{window}} placeholder'],
  ['rules/payments.yaml:33:57', 'unexpected end of expression'], // after {{window}} substitution, mapped back
  ['rules/payments.yaml:36:22', 'unclosed left brace (this "{" has no matching "}")'], // at the brace, not the end
  ['rules/payments.yaml:38:15', 'uptime[0].interval'],
  ['rules/prisons.yaml:1:7', 'team: "prison" does not match the file name: rules/prisons.yaml must hold team "prisons"'],
];

afterAll(removeTempDirs);

describe('validating broken rules/ and dashboards/', () => {
  it('reports every error at once, each at file:line:col', async () => {
    const r = await loadTeamSpecs(BROKEN, { routeTeams: await routeTeamsOf(BROKEN) });
    expect(r.specs).toBeUndefined();
    const lines = r.errors.map(formatSourceError);
    expect(lines).toHaveLength(EXPECTED.length);
    EXPECTED.forEach(([where, fragment], i) => {
      expect(lines[i]).toContain(`${where} `);
      expect(lines[i]).toContain(fragment);
    });
  });

  it('alertgate generate prints the same errors on stderr, writes nothing and exits 1', async () => {
    const out = await makeConfigDir({});
    const stderr: string[] = [];
    const stdout: string[] = [];
    const code = await main(['generate', '--out', out, '--config', BROKEN], {
      stdout: (t) => stdout.push(t),
      stderr: (t) => stderr.push(t),
      env: {},
      cwd: REPO_ROOT,
    });
    expect(code).toBe(1);
    expect(stdout).toEqual([]);
    // Files named as validate names them, relative to the config dir (not to the working directory).
    for (const [where] of EXPECTED) expect(stderr.filter((l) => l.startsWith(`${where} `))).toHaveLength(1);
    expect(stderr.at(-1)).toContain(`${EXPECTED.length} error(s)`);
  });

  it('alertgate generate fails on an error in routes/ as validate does: same line, exit 1, nothing written', async () => {
    const config = await makeConfigDir({
      'routes/alpha.yaml': 'team: alpha\nslack:\n  channel: "#alpha"\nroutes:\n  - matchers: [severity=~"(critical"]\n    receivers: [slack]\n',
      'routes/platform.yaml': 'team: platform\nslack:\n  channel: "#platform"\n',
      'rules/alpha.yaml': 'team: alpha\nnamespace: alpha-prod\nalerts:\n  - name: Down\n    expr: up == 0\n    severity: warning\n    summary: Down\n    runbook: https://r.example/x\n',
    });
    const run = (args: string[]) => alertgate(args, config);
    const validate = await run(['validate']);
    expect(validate.code).toBe(1);
    const routeError = validate.lines.find((l) => l.startsWith('routes/alpha.yaml:5:16 '));
    expect(routeError).toContain('invalid regular expression');

    for (const args of [['generate', '--out', 'out'], ['generate', '--out', 'out', '--check']]) {
      const generate = await run(args);
      expect({ args, code: generate.code }).toEqual({ args, code: 1 });
      expect(generate.lines).toContain(routeError);
      expect(generate.lines.at(-1)).toContain('1 error(s) in the config; nothing written');
    }
    // Run from elsewhere with --config (the file was named by its absolute path): named as validate names it.
    const elsewhere = await alertgate(['generate', '--out', path.join(config, 'out'), '--config', config], REPO_ROOT);
    expect(elsewhere.lines).toContain(routeError);
    expect(await readdir(config)).not.toContain('out');
  });

  it('alertgate validate and generate report a dashboards ConfigMap over 1 MiB at its file and exit 1', async () => {
    const config = await makeConfigDir({
      'routes/platform.yaml': routesFile('platform'),
      'routes/web.yaml': routesFile('web'),
      'dashboards/web.yaml': bigBoards(10, 120_000),
    });
    const run = (args: string[]) => alertgate(args, config, { ALERTGATE_CONFIG_DIR: config });
    const message = /^dashboards\/web\.yaml:1:7 the dashboards ConfigMap of team "web" would hold \d+ bytes of dashboard JSON, over the 1044480 that fit/;
    const validate = await run(['validate']);
    expect(validate.code).toBe(1);
    expect(validate.lines).toContainEqual(expect.stringMatching(message));
    const generate = await run(['generate', '--out', 'out']);
    expect(generate.code).toBe(1);
    expect(generate.lines).toContainEqual(expect.stringMatching(message));
    expect(generate.lines.at(-1)).toContain('1 error(s) in the config; nothing written');
    expect(await readdir(config)).not.toContain('out');
  });

  it('alertgate validate warns of a dashboards ConfigMap too big for a client-side kubectl apply (its 256 KiB last-applied annotation), and passes', async () => {
    const big = await validateTeam('web', { boards: bigBoards(4, 70_000) });
    expect(big.code).toBe(0);
    expect(big.lines).toEqual([
      expect.stringMatching(
        /^dashboards\/web\.yaml:1:7 warning: the dashboards ConfigMap of team "web" is about \d+ bytes as JSON: a client-side kubectl apply \(and Argo CD's default sync\) keeps a copy of it in its last-applied-configuration annotation, and Kubernetes refuses annotations over 262144 bytes; apply it server-side \(kubectl apply --server-side, Argo CD ServerSideApply=true\) or make its boards smaller$/,
      ),
      'ok: 1 team (1 warning)',
    ]);
    const small = await validateTeam('web', { boards: bigBoards(4, 50_000) });
    expect(small.lines).toEqual(['ok: 1 team']);
  });

  it('alertgate validate and generate refuse a PrometheusRule over the 512 KiB prometheus-operator puts in one rule-file ConfigMap, at the rules file', async () => {
    // The operator refuses such a rule file ("rule file … is too large for a single Kubernetes
    // ConfigMap") and stops updating its Prometheus' rules: every team's, not only this one's.
    const config = await makeConfigDir({ 'routes/web.yaml': routesFile('web'), 'rules/web.yaml': bigRules(300, 2_000) });
    const run = (args: string[]) => alertgate(args, config, { ALERTGATE_CONFIG_DIR: config, FALLBACK_TEAM: 'web' });
    const message =
      /^rules\/web\.yaml:1:7 the PrometheusRule of team "web" is about \d+ bytes as the rule file prometheus-operator writes of it, over the 524288 it puts in one ConfigMap: the operator refuses it \("rule file … is too large for a single Kubernetes ConfigMap"\) and stops updating the rules of its Prometheus; make the team's rules smaller \(fewer alerts or SLOs, shorter text\)$/;
    const validate = await run(['validate']);
    expect(validate.code).toBe(1);
    expect(validate.lines).toContainEqual(expect.stringMatching(message));
    const generate = await run(['generate', '--out', 'out']);
    expect(generate.code).toBe(1);
    expect(generate.lines).toContainEqual(expect.stringMatching(message));
    expect(await readdir(config)).not.toContain('out');
  });

  it('alertgate validate warns of a PrometheusRule too big for a client-side kubectl apply (its 256 KiB last-applied annotation), and passes', async () => {
    const big = await validateTeam('web', { rules: bigRules(150, 2_000) });
    expect(big.code).toBe(0);
    expect(big.lines).toEqual([
      expect.stringMatching(
        /^rules\/web\.yaml:1:7 warning: the PrometheusRule of team "web" is about \d+ bytes as JSON: a client-side kubectl apply \(and Argo CD's default sync\) keeps a copy of it in its last-applied-configuration annotation, and Kubernetes refuses annotations over 262144 bytes; apply it server-side \(kubectl apply --server-side, Argo CD ServerSideApply=true\) or make its rules smaller$/,
      ),
      'ok: 1 team (1 warning)',
    ]);
    const small = await validateTeam('web', { rules: bigRules(100, 2_000) });
    expect(small.lines).toEqual(['ok: 1 team']);
  });

  it('alertgate validate reports PromQL that parses but promtool rejects (types), in every PromQL field, and exits 1', async () => {
    const rules = teamFile('shop', [
      'alerts:',
      '  - name: HighRate',
      '    expr: rate(http_requests_total) > 1',
      '    severity: warning',
      '    summary: High request rate',
      '    runbook: https://runbooks.example/high-rate',
      ...sloYaml({ errors: 'sum(http_requests_total{code=~"5.."}[{{window}}])' }),
      'uptime:',
      '  - service: shop',
      '    up: rate(probe_success)',
      '    objective: 99.9',
    ]);
    const boards = boardsYaml('shop', 'Shop', panelYaml('Requests', 'timeseries', 'sum(rate(http_requests_total)) by (job)'));
    await expectInvalid('shop', { rules, boards }, [
      'dashboards/shop.yaml:8:24 dashboards[0].panels[0].expr: expected type range vector in call to function "rate", got instant vector',
      'rules/shop.yaml:5:16 alerts[0].expr: expected type range vector in call to function "rate", got instant vector',
      // After {{window}} substitution; the column is the original's.
      'rules/shop.yaml:14:17 slos[0].errors: expected type instant vector in aggregation expression, got range vector',
      'rules/shop.yaml:18:14 uptime[0].up: expected type range vector in call to function "rate", got instant vector',
      'invalid: 4 errors, 0 warnings',
    ]);
  });

  it('alertgate validate refuses a label matcher regexp Prometheus cannot compile, at the matcher, with Go\'s error, and exits 1', async () => {
    const rules = teamFile('web', [
      'alerts:',
      '  - name: ProbeFailing',
      '    expr: probe_success{instance=~"*.example.com"} == 0',
      '    severity: critical',
      '    summary: Probe failing',
      '    runbook: https://runbooks.example/probe',
      '  - name: Fine',
      // Valid Go, though not as JavaScript would read it: accepted, as promtool accepts it.
      '    expr: up{job=~"(?i)api|(?U)web.*|^*", instance!~"[\\\\d-z]+|x{01001}"} == 0',
      '    severity: warning',
      '    summary: Down',
      '    runbook: https://runbooks.example/down',
      ...sloYaml({ errors: 'sum(rate(http_requests_total{code=~"5**"}[{{window}}]))' }),
    ]);
    const boards = webBoards(panelYaml('Requests', 'timeseries', 'sum(rate(http_requests_total{path=~"/api/(?!health)"}[5m]))'));
    await expectInvalid('web', { rules, boards }, [
      'dashboards/web.yaml:8:44 dashboards[0].panels[0].expr: error parsing regexp: invalid or unsupported Perl syntax: `(?!`',
      'rules/web.yaml:5:25 alerts[0].expr: error parsing regexp: missing argument to repetition operator: `*`',
      // After {{window}} substitution; the column is the original's.
      'rules/web.yaml:19:42 slos[0].errors: error parsing regexp: invalid nested repetition operator: `**`',
      'invalid: 3 errors, 0 warnings',
    ]);
  });

  it('alertgate validate refuses an expression whose overall type its field cannot use (promtool accepts each), naming the field and the type, and exits 1', async () => {
    const rules = teamFile('web', [
      'alerts:',
      ...alertYaml('TargetDownLong', 'up{job="api"}[10m]'),
      ...alertYaml('Text', '\'"down"\''),
      ...alertYaml('Subquery', '(up == 0)[10m:1m]'),
      ...alertYaml('ScalarIsFine', 'scalar(sum(up)) < bool 1'),
      ...sloYaml({ name: 'api-availability', errors: 'http_requests_total{job="api",code=~"5.."}[{{window}}]', total: 'sum(rate(http_requests_total{job="api"}[{{window}}]))' }),
      'uptime:',
      '  - service: api',
      '    up: probe_success{job="blackbox"}[1m]',
      '    objective: 99.9',
      '  - service: web',
      '    up: time() > bool 0',
      '    objective: 99.9',
    ]);
    const boards = boardsYaml('web', 'API', [
      ...panelYaml('Requests', 'timeseries', 'http_requests_total{job="api"}[5m]'),
      // An instant query may answer a range vector: a table of raw samples is fine.
      ...panelYaml('Raw samples', 'table', 'up{job="api"}[5m]'),
    ]);
    const forgotRate = 'did you forget rate() or an *_over_time() function around it?';
    const alertWhy = '(Prometheus fails such an alert at every evaluation: "rule result is not a vector or scalar")';
    await expectInvalid('web', { rules, boards }, [
      `dashboards/web.yaml:8:15 dashboards[0].panels[0].expr: must be an instant vector or a scalar, got a range vector: ${forgotRate} (Grafana runs a timeseries panel's query as a range query, which refuses anything else)`,
      `rules/web.yaml:5:11 alerts[0].expr: must be an instant vector or a scalar, got a range vector: ${forgotRate} ${alertWhy}`,
      `rules/web.yaml:10:12 alerts[1].expr: must be an instant vector or a scalar, got a string ${alertWhy}`,
      `rules/web.yaml:15:11 alerts[2].expr: must be an instant vector or a scalar, got a range vector: did you forget an *_over_time() function around the subquery? ${alertWhy}`,
      `rules/web.yaml:29:13 slos[0].errors: must be an instant vector or a scalar, got a range vector: ${forgotRate} (the generated recording rules divide errors by total)`,
      'rules/web.yaml:33:9 uptime[0].up: must be an instant vector, got a range vector: write it without a range, as probe_success{…} (uptime counts the samples of its series, 1 up and 0 down, over ranges of its own)',
      'rules/web.yaml:36:9 uptime[1].up: must be an instant vector, got a scalar (uptime counts the samples of its series, 1 up and 0 down, over ranges of its own)',
      'invalid: 7 errors, 0 warnings',
    ]);
  });

  it('alertgate validate refuses a range vector in a stat or gauge panel (Grafana would show only its last sample), at the query, and exits 1', async () => {
    const boards = webBoards([
      ...panelYaml('Raw', 'stat', 'up{job="api"}[5m]'),
      ...panelYaml('Subquery', 'gauge', 'rate(http_requests_total[5m])[1h:]', ['max: 1']),
      ...panelYaml('Rate', 'stat', 'sum(rate(http_requests_total[5m]))'),
      ...panelYaml('Scalar', 'gauge', 'scalar(sum(up))', ['max: 100']),
      ...panelYaml('Raw samples', 'table', 'up{job="api"}[5m]'),
    ]);
    await expectInvalid('web', { boards }, [
      'dashboards/web.yaml:8:15 dashboards[0].panels[0].expr: must be an instant vector or a scalar, got a range vector: did you forget rate() or an *_over_time() function around it? (a stat panel shows one value per series: of a range vector, only its last sample)',
      'dashboards/web.yaml:11:15 dashboards[0].panels[1].expr: must be an instant vector or a scalar, got a range vector: did you forget an *_over_time() function around the subquery? (a gauge panel shows one value per series: of a range vector, only its last sample)',
      'invalid: 2 errors, 0 warnings',
    ]);
  });

  it('alertgate validate refuses a panel unit Grafana does not know, suggesting a close one, and accepts its custom unit forms', async () => {
    const units = [
      'percent_unit',
      'secs',
      'MS',
      'reqs',
      'widgets',
      'per:second',
      'suffix:widgets',
      'prefix:£',
      'si:mB',
      'count:req',
      'currency:CHF',
      'time:YYYY-MM-DD',
      'bool:up/down',
      'bool_yes_no',
      'dtdurations',
      'Bps',
      'farenheit', // Grafana's alias of fahrenheit
    ];
    const boards = webBoards(units.flatMap((unit, i) => panelYaml(`P${i}`, 'timeseries', 'up', [`unit: "${unit}"`])));
    const why = '(Grafana shows an unknown unit as text after the unscaled number; write a unit of your own as suffix:<text>)';
    await expectInvalid('web', { boards }, [
      `dashboards/web.yaml:9:15 dashboards[0].panels[0].unit: unknown Grafana unit "percent_unit"; did you mean "percentunit"? ${why}`,
      `dashboards/web.yaml:13:15 dashboards[0].panels[1].unit: unknown Grafana unit "secs"; did you mean "s"? ${why}`,
      `dashboards/web.yaml:17:15 dashboards[0].panels[2].unit: unknown Grafana unit "MS"; did you mean "ms"? ${why}`,
      `dashboards/web.yaml:21:15 dashboards[0].panels[3].unit: unknown Grafana unit "reqs"; did you mean "reqps"? ${why}`,
      `dashboards/web.yaml:25:15 dashboards[0].panels[4].unit: unknown Grafana unit "widgets" ${why}`,
      `dashboards/web.yaml:29:15 dashboards[0].panels[5].unit: unknown Grafana unit "per:second": Grafana's custom units are suffix:, prefix:, si:, count:, currency:, time: and bool: ${why}`,
      'invalid: 6 errors, 0 warnings',
    ]);
  });

  it('alertgate validate takes an unquoted number in a duration field as written, as Prometheus: for: 0 passes, for: 5 is refused for want of a unit', async () => {
    const alert = (name: string, forValue: string) => alertYaml(name, 'up == 0', [`for: ${forValue}`]);
    const rules = teamFile('web', [
      'alerts:',
      ...alert('AtOnce', '0'),
      ...alert('NoUnit', '5'),
      ...alert('Float', '0.0'),
      ...sloYaml({ window: '30', errors: 'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))' }),
    ]);
    await expectInvalid('web', { rules }, [
      'rules/web.yaml:12:10 alerts[1].for: for: 5 has no unit; Prometheus needs one (5s, 5m, 5h…), only 0 may go without',
      'rules/web.yaml:18:10 alerts[2].for: for: "0.0" is not a Prometheus duration such as 30s, 5m, 1h30m, 30d (integers, units y w d h m s ms in that order)',
      'rules/web.yaml:25:13 slos[0].window: window: 30 has no unit; Prometheus needs one (30s, 30m, 30h…)',
      'invalid: 3 errors, 0 warnings',
    ]);
  });

  it('alertgate validate refuses the number and string literals promtool 2.x refuses (offset 5, [300], "\\d"), at the literal, saying what to write', async () => {
    const rules = teamFile('web', [
      'alerts:',
      ...alertYaml('WeekOnWeek', 'sum(rate(http_requests_total[5m])) < 0.5 * sum(rate(http_requests_total[5m] offset 5))'),
      ...alertYaml('ApiErrors', 'sum(rate(http_requests_total{path=~"/api/\\d+",code=~"5.."}[5m])) > 1'),
      ...alertYaml('Fine', 'sum(rate(http_requests_total{path=~"/api/\\\\d+"}[5m] offset 1w)) > 1'),
    ]);
    const boards = webBoards(panelYaml('Rate', 'timeseries', 'sum(rate(http_requests_total[300]))'));
    const promtool2 = (what: string) => `(Prometheus 2 and promtool 2.x refuse a number there; Prometheus 3 reads it as ${what})`;
    await expectInvalid('web', { rules, boards }, [
      `dashboards/web.yaml:8:44 dashboards[0].panels[0].expr: PromQL: the range needs a unit: write 300s for seconds (or 300m, 300h…), not the bare number 300 ${promtool2('seconds')}`,
      `rules/web.yaml:5:94 alerts[0].expr: PromQL: the offset needs a unit: write 5s for seconds (or 5m, 5h…), not the bare number 5 ${promtool2('seconds')}`,
      'rules/web.yaml:10:52 alerts[1].expr: PromQL string has an unknown escape sequence \\d; a backslash meant for a regex is written \\\\d inside quotes, or put the string in backticks',
      'invalid: 3 errors, 0 warnings',
    ]);
  });

  it('alertgate validate warns of a gauge without max (Grafana scales it to the values shown: a lone series looks the same whatever its value) and refuses min not below max', async () => {
    const panel = (title: string, type: string, extra: string[]) => panelYaml(title, type, 'sum(up)', extra);
    const boards = webBoards([
      ...panel('Queue', 'gauge', []),
      ...panel('Ratio', 'gauge', ['unit: percentunit']),
      ...panel('Percent', 'gauge', ['unit: percent']),
      ...panel('Scaled', 'gauge', ['max: 500']),
      ...panel('Upside down', 'gauge', ['min: 10', 'max: 5']),
      ...panel('Stat', 'stat', []),
    ]);
    await expectInvalid('web', { boards }, [
      'dashboards/web.yaml:7:15 warning: dashboards[0].panels[0]: gauge has no max: Grafana scales a gauge to the values it shows, so a lone series looks the same whatever its value; set max: (and min:), or unit: percent (0–100) or percentunit (0–1)',
      'dashboards/web.yaml:25:14 dashboards[0].panels[4].max: max must be above min',
      'invalid: 1 error, 1 warning',
    ]);
  });

  it('alertgate validate names a key given twice and where it is, not only "Map keys must be unique"', async () => {
    const rules = teamFile('web', [
      'alerts:',
      ...alertYaml('Down', 'up == 0'),
      // The key given twice: written out, as alertYaml writes each key once.
      '  - name: Slow',
      '    expr: latency > 1',
      '    severity: warning',
      '    expr: latency > 2',
      '    summary: s',
      '    runbook: https://runbooks.example/x',
    ]);
    const boards = webBoards(['      - { title: Up, type: stat, expr: up, "type": gauge }', 'team: web']);
    await expectInvalid('web', { rules, boards }, [
      'dashboards/web.yaml:6:44 dashboards[0].panels[0]: key "type" is given twice (first at line 6, column 22); a YAML map takes each key once',
      'dashboards/web.yaml:7:1 key "team" is given twice (first at line 1, column 1); a YAML map takes each key once',
      'rules/web.yaml:12:5 alerts[1]: key "expr" is given twice (first at line 10, column 5); a YAML map takes each key once',
      'invalid: 3 errors, 0 warnings',
    ]);
  });

  it('alertgate validate refuses a folder the Grafana sidecar would take for a path ("Payments / EU", "/var/lib", "..")', async () => {
    const boards = (folder: string) => teamFile('web', [`folder: ${folder}`, 'dashboards:', '  - title: Web', '    panels:', '      - { title: Up, type: stat, expr: up }']);
    const lines: string[] = [];
    for (const folder of ['Payments / EU', '/var/lib/grafana/dashboards', '..', '.', 'Payments - EU', 'Cloud Platform']) {
      const r = await validateTeam('web', { boards: boards(JSON.stringify(folder)) });
      lines.push(...r.lines.filter((l) => !l.startsWith('ok:') && !l.startsWith('invalid:')));
    }
    const why = 'the Grafana sidecar writes the boards into a directory of this name (an absolute one as it is), and Grafana names the folder after its last part';
    expect(lines).toEqual([
      `dashboards/web.yaml:3:9 folder: folder "Payments / EU" may not contain "/": ${why} (" EU"); write e.g. "Payments - EU"`,
      `dashboards/web.yaml:3:9 folder: folder "/var/lib/grafana/dashboards" may not contain "/": ${why} ("dashboards"); write e.g. "var - lib - grafana - dashboards"`,
      'dashboards/web.yaml:3:9 folder: folder ".." is not a folder name: the Grafana sidecar would take it for a directory',
      'dashboards/web.yaml:3:9 folder: folder "." is not a folder name: the Grafana sidecar would take it for a directory',
    ]);
  });

  it('alertgate validate reports experimental PromQL a stock Prometheus refuses, at its character, naming the feature flag', async () => {
    const rules = teamFile('shop', [
      'alerts:',
      ...alertYaml('Sorted', "'sort_by_label(up, \"instance\") > 0'"),
      ...alertYaml('Mad', 'mad_over_time(up[5m]) > 0'),
      ...alertYaml('Limited', 'limitk(2, up) > 0'),
      ...alertYaml('Longer', 'rate(x_total[5m+1m]) > 0'),
      ...sloYaml({ errors: 'sum(rate(http_requests_total{code=~"5.."}[{{window}}] anchored))' }),
    ]);
    const boards = boardsYaml('shop', 'Shop', panelYaml('Top', 'table', 'limit_ratio(0.1, up)'));
    const flag = (f: string) => `Prometheus needs --enable-feature=${f}`;
    await expectInvalid('shop', { rules, boards }, [
      'dashboards/shop.yaml:8:15 dashboards[0].panels[0].expr: limit_ratio() is experimental and must be enabled with --enable-feature=promql-experimental-functions',
      `rules/shop.yaml:5:12 alerts[0].expr: function "sort_by_label" is not enabled (experimental: ${flag('promql-experimental-functions')})`,
      `rules/shop.yaml:10:11 alerts[1].expr: function "mad_over_time" is not enabled (experimental: ${flag('promql-experimental-functions')})`,
      'rules/shop.yaml:15:11 alerts[2].expr: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions',
      `rules/shop.yaml:20:24 alerts[3].expr: experimental duration expression is not enabled (${flag('promql-duration-expr')}); write a plain duration such as 5m`,
      // After {{window}} substitution; the column is the original's.
      `rules/shop.yaml:29:67 slos[0].errors: anchored modifier is experimental and not enabled (${flag('promql-extended-range-selectors')})`,
      'invalid: 6 errors, 0 warnings',
    ]);
  });

  it('alertgate validate accepts Grafana\'s global variables in panel queries and names any other $variable', async () => {
    const boards = boardsYaml('shop', 'Shop', [
      ...panelYaml('Requests', 'timeseries', 'sum(rate(http_requests_total[$__rate_interval])) * ${__range_s} / $__interval_ms'),
      ...panelYaml('Errors', 'timeseries', 'sum(rate(http_errors_total{pod=~"$pod"}[${__interval}]))'),
      ...panelYaml('Pods', 'stat', 'count(up{job="shop"}) / $replicas'),
    ]);
    await expectInvalid('shop', { boards }, [
      'dashboards/shop.yaml:14:39 dashboards[0].panels[2].expr: unknown Grafana variable "$replicas": generated dashboards define no template variables; Grafana\'s global ones can be used ($__interval, $__rate_interval, $__range, …)',
      'invalid: 1 error, 0 warnings',
    ]);
  });
});

/**
 * What `validate` and `generate` print of a team's files, which come from pull requests and are
 * printed in CI logs: one line per problem, with no terminal control sequence and no line break
 * of the file's own (a line break would let a file's key print a line of its own: a forged
 * `file:line:col`, or a GitHub Actions workflow command such as `::add-mask::` or `::error`), and
 * no `##[`, the runner's older command form, which it reads anywhere in a line.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { makeConfigDir, removeTempDirs, REPO_ROOT, routesFile } from './generate-helpers.js';

afterAll(removeTempDirs);

async function alertgate(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  const printed: string[] = [];
  const code = await main(args, { stdout: (t) => printed.push(t), stderr: (t) => printed.push(t), env, cwd: REPO_ROOT });
  return { code, out: printed.map((t) => (t.endsWith('\n') ? t : `${t}\n`)).join('') };
}

const ESC = '\u001b';
/** C0 and C1 control characters other than the line feed that ends each printed line. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('problems echoing a team file print as one line each, without control characters', () => {
  // A YAML double-quoted key may hold any character: an ESC sequence that clears the screen, a
  // line break followed by a workflow command, a carriage return that overwrites the line.
  const routes = [
    'team: evil',
    'owns:',
    '  namespaces: [evil-prod]',
    'slack:',
    '  channel: "#evil"',
    '"wibble\\e[2J\\e[1;1H": 1',
    '"x\\n::error file=routes/payments.yaml::forged\\r": 2',
    // The runner's older command form is read anywhere in a line (actions/runner ActionCommand.TryParse).
    '"see ##[error]forged too": 3',
    'routes:',
    '  - matchers: ["sev\\e[31m=\\"x\\""]',
    '    receivers: [slack]',
    '',
  ].join('\n');

  for (const command of ['validate', 'generate'] as const) {
    it(`alertgate ${command}`, async () => {
      const dir = await makeConfigDir({ 'routes/evil.yaml': routes, 'routes/platform.yaml': routesFile('platform') });
      const args = command === 'validate' ? ['validate'] : ['generate', '--out', `${dir}/out`];
      const { code, out } = await alertgate(args, { ALERTGATE_CONFIG_DIR: dir });
      expect(code).toBe(1);
      expect(out).not.toContain(ESC);
      expect(out).not.toMatch(CONTROL);
      const lines = out.split('\n').filter((l) => l !== '');
      // Every line is a problem of the file, or the summary: none starts with the forged command.
      expect(lines.filter((l) => !l.startsWith('routes/evil.yaml:') && !/^(invalid|generate):/.test(l))).toEqual([]);
      // The offending characters are shown escaped, so the author can find them.
      expect(out).toContain('unknown field "wibble\\u001b[2J\\u001b[1;1H"');
      expect(out).toContain('"x\\n::error file=routes/payments.yaml::forged\\r"');
      expect(out).toContain('bad matcher format: sev\\u001b[31m="x"');
      expect(out).not.toContain('##[');
      expect(out).toContain('unknown field "see #\\u0023[error]forged too"');
    });
  }
});

describe("a team's rules and dashboards go to its own namespaces only", () => {
  const rules = (namespace: string) =>
    ['team: payments', `namespace: ${namespace}`, 'alerts:', '  - name: CheckoutDown', '    expr: up == 0', '    severity: warning', '    summary: s', '    runbook: https://runbooks.example/x', ''].join('\n');
  const boards = (namespace: string) =>
    ['team: payments', `namespace: ${namespace}`, 'folder: Payments', 'dashboards:', '  - title: Checkout', '    panels:', '      - title: Up', '        type: stat', '        expr: up', ''].join('\n');
  const config = (rulesNs: string, boardsNs: string) =>
    makeConfigDir({
      'routes/payments.yaml': routesFile('payments'),
      'routes/prisons.yaml': routesFile('prisons'),
      'routes/platform.yaml': routesFile('platform').replace('[platform-prod]', '[platform-prod, kube-system]'),
      'rules/payments.yaml': rules(rulesNs),
      'dashboards/payments.yaml': boards(boardsNs),
    });

  it("refuses another team's namespace and one the team does not own, in validate and generate", async () => {
    const dir = await config('prisons-prod', 'kube-system');
    const validate = await alertgate(['validate'], { ALERTGATE_CONFIG_DIR: dir });
    expect(validate.code).toBe(1);
    expect(validate.out).toContain(
      'rules/payments.yaml:2:12 namespace: "prisons-prod" is team prisons\' (routes/prisons.yaml owns.namespaces): team payments\' PrometheusRule goes to one of its own namespaces: payments-prod',
    );
    expect(validate.out).toContain(
      'dashboards/payments.yaml:2:12 namespace: "kube-system" is team platform\'s (routes/platform.yaml owns.namespaces): team payments\' dashboards ConfigMap goes to one of its own namespaces: payments-prod',
    );
    const generate = await alertgate(['generate', '--out', `${dir}/out`], { ALERTGATE_CONFIG_DIR: dir });
    expect(generate.code).toBe(1);
    expect(generate.out).toContain('rules/payments.yaml:2:12 namespace: "prisons-prod" is team prisons\'');
    expect(generate.out).toContain('nothing written');
  });

  it('warns of a namespace no team owns (a shared one such as monitoring), naming the team\'s own', async () => {
    const dir = await config('monitoring', 'payments-prod');
    const { code, out } = await alertgate(['validate'], { ALERTGATE_CONFIG_DIR: dir });
    expect(code).toBe(0);
    expect(out).toContain(
      'rules/payments.yaml:2:12 warning: namespace: "monitoring" is not among team payments\' namespaces (routes/payments.yaml owns.namespaces), and no team owns it: check its PrometheusRule belongs there (a shared namespace such as monitoring), or use one of its own: payments-prod',
    );
    const out2 = path.join(dir, 'out');
    const generate = await alertgate(['generate', '--out', out2], { ALERTGATE_CONFIG_DIR: dir });
    expect(generate.code).toBe(0);
    expect(await readFile(path.join(out2, 'payments-prometheus-rule.yaml'), 'utf8')).toContain('namespace: monitoring');
  });

  const SYSTEM = (ns: string, object: string, choices: string) =>
    `namespace: "${ns}" is a Kubernetes system namespace (kube-*, default), and team objects do not belong there: the cluster's own components run there, and only a team that lists it in its routes file's owns.namespaces may put objects there; team payments' ${object} goes to one of its own namespaces${choices}`;

  it('refuses a Kubernetes system namespace no team owns, even to a team that lists none, and generate writes nothing', async () => {
    for (const [rulesNs, boardsNs] of [['kube-system', 'default'], ['kube-node-lease', 'kube-public'], ['kube-flannel', 'payments-prod']] as const) {
      const dir = await makeConfigDir({
        'routes/payments.yaml': routesFile('payments'),
        'routes/platform.yaml': routesFile('platform'),
        'rules/payments.yaml': rules(rulesNs),
        'dashboards/payments.yaml': boards(boardsNs),
      });
      const validate = await alertgate(['validate'], { ALERTGATE_CONFIG_DIR: dir });
      expect(validate.code).toBe(1);
      expect(validate.out).toContain(`rules/payments.yaml:2:12 ${SYSTEM(rulesNs, 'PrometheusRule', ': payments-prod')}\n`);
      if (boardsNs !== 'payments-prod') expect(validate.out).toContain(`dashboards/payments.yaml:2:12 ${SYSTEM(boardsNs, 'dashboards ConfigMap', ': payments-prod')}\n`);
      const out = path.join(dir, 'out');
      const generate = await alertgate(['generate', '--out', out], { ALERTGATE_CONFIG_DIR: dir });
      expect(generate.code).toBe(1);
      expect(generate.out).toContain(`rules/payments.yaml:2:12 ${SYSTEM(rulesNs, 'PrometheusRule', ': payments-prod')}\n`);
      expect(generate.out).toContain('nothing written');
      await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    }
    // A team that lists no namespaces is refused the system ones too (and told it lists none).
    const dir = await makeConfigDir({
      'routes/payments.yaml': routesFile('payments', []),
      'routes/platform.yaml': routesFile('platform'),
      'rules/payments.yaml': rules('kube-system'),
    });
    const { code, out } = await alertgate(['validate'], { ALERTGATE_CONFIG_DIR: dir });
    expect(code).toBe(1);
    expect(out).toContain(`rules/payments.yaml:2:12 ${SYSTEM('kube-system', 'PrometheusRule', ' (routes/payments.yaml owns.namespaces lists none yet)')}\n`);
  });

  it('takes a system namespace the team lists itself, and says nothing of a shared one to a team that lists none', async () => {
    const dir = await makeConfigDir({
      'routes/payments.yaml': routesFile('payments', ['payments-prod', 'kube-system']),
      'routes/platform.yaml': routesFile('platform', []),
      'rules/payments.yaml': rules('kube-system'),
      'dashboards/payments.yaml': boards('default'),
      'rules/platform.yaml': rules('monitoring').replace('team: payments', 'team: platform'),
    });
    const { code, out } = await alertgate(['validate'], { ALERTGATE_CONFIG_DIR: dir });
    // payments lists kube-system but not default: only default is refused; platform lists none, so monitoring is silent.
    expect(code).toBe(1);
    expect(out.split('\n').filter((l) => l.includes('namespace'))).toEqual([`dashboards/payments.yaml:2:12 ${SYSTEM('default', 'dashboards ConfigMap', ': payments-prod, kube-system')}`]);
  });

  it('takes its own namespace', async () => {
    const dir = await config('payments-prod', 'payments-prod');
    const { code, out } = await alertgate(['validate'], { ALERTGATE_CONFIG_DIR: dir });
    expect(out).toMatch(/^ok: 3 teams/m);
    expect(code).toBe(0);
  });
});

describe('route-test prints what a team file holds as one line per row, without control characters', () => {
  it("escapes a route's matchers and a maintenance window's reason", async () => {
    const routes = [
      'team: payments',
      'owns:',
      '  namespaces: [payments-prod]',
      'slack:',
      '  channel: "#payments"',
      'routes:',
      '  - matchers: ["severity=~\\"critical|\\e\\\\\\\\[2J|x\\n::error::forged\\""]',
      '    receivers: [slack]',
      'maintenance:',
      '  - reason: "patching\\e[2K\\r::error::forged too"',
      '    start: "2020-01-01T00:00:00Z"',
      '    end: "2020-01-02T00:00:00Z"',
      '    matchers: [\'severity="critical"\']',
      '',
    ].join('\n');
    const dir = await makeConfigDir({ 'routes/payments.yaml': routes, 'routes/platform.yaml': routesFile('platform') });
    const { code, out } = await alertgate(['route-test', '--labels', 'namespace=payments-prod,severity=critical'], { ALERTGATE_CONFIG_DIR: dir });
    expect(code).toBe(0);
    expect(out).not.toMatch(CONTROL);
    expect(out).not.toMatch(/^::/m);
    expect(out).toContain('severity=~"critical|\\u001b\\\\[2J|x\\n::error::forged"');
    expect(out).toContain('patching\\u001b[2K\\r::error::forged too');
  });
});

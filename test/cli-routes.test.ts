/**
 * `alertgate validate` and `alertgate route-test`, run in-process through the CLI entry point
 * against the shipped example estate and the broken fixture, reading what a user would see.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const KEYS = { PAGERDUTY_PAYMENTS_KEY: 'k1', PAGERDUTY_PLATFORM_KEY: 'k2', PAGERDUTY_PRISONS_KEY: 'k3' };

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: repoRoot });
  const lines = (chunks: string[]) => chunks.join('\n').split('\n').filter((l) => l !== '');
  return { code, stdout: out.join('\n'), stdoutLines: lines(out), stderrLines: lines(err) };
}

describe('alertgate validate', () => {
  it('passes the shipped estate, printing only the unset routing-key warnings', async () => {
    const r = await run(['validate']);
    expect(r.code).toBe(0);
    expect(r.stdoutLines).toEqual([
      expect.stringMatching(/^routes\/payments\.yaml:9:18 warning: pagerduty\.routingKeyEnv: environment variable PAGERDUTY_PAYMENTS_KEY is not set/),
      expect.stringMatching(/^routes\/platform\.yaml:\d+:\d+ warning: .*PAGERDUTY_PLATFORM_KEY/),
      expect.stringMatching(/^routes\/prisons\.yaml:\d+:\d+ warning: .*PAGERDUTY_PRISONS_KEY/),
      'ok: 4 teams (3 warnings)',
    ]);
  });

  it('prints a one-line summary when everything is set', async () => {
    const r = await run(['validate'], KEYS);
    expect(r.code).toBe(0);
    expect(r.stdoutLines).toEqual(['ok: 4 teams']);
  });

  it('fails with every error as file:line:col message, relative to ALERTGATE_CONFIG_DIR', async () => {
    const r = await run(['validate'], { ALERTGATE_CONFIG_DIR: 'test/fixtures/routes-broken' });
    expect(r.code).toBe(1);
    expect(r.stdoutLines).toEqual([
      expect.stringMatching(/^routes\/billing\.yaml:3:16 .*"billing-prod" is also owned by team "ledger"/),
      expect.stringMatching(/^routes\/billing\.yaml:4:14 owns\.matchers\[0\]: invalid regular expression/),
      'routes/billing.yaml:7:1 escalation: unknown field "escalation"; the fields here are team, owns, slack, pagerduty, dedup, routes, reports, storm, maintenance',
      expect.stringMatching(/^routes\/billing\.yaml:10:17 routes\[0\]\.receivers\[0\]: receiver "pagerduty" is not configured/),
      expect.stringMatching(/^routes\/broken-syntax\.yaml:4:1 /),
      expect.stringMatching(/^routes\/ledger\.yaml:3:29 .*"billing-prod" is already owned by team "billing"/),
      expect.stringMatching(/^routes\/ledger\.yaml:5:11 dedup\.window: /),
      expect.stringMatching(/^routes\/ledger\.yaml:7:17 .*receiver "slack" is not configured/),
      expect.stringMatching(/^routes\/reporting\.yaml:1:7 .*does not match the file name/),
      'routes/reporting.yaml:1:7 team: "Reporting" is not a team name: a team name is lower-case letters, digits and "-", starting with a letter (^[a-z][a-z0-9-]{1,62}$), such as "reporting"',
      expect.stringMatching(/^routes\/search\.yaml:1:7 .*does not match the file name/),
      'invalid: 11 errors, 0 warnings',
    ]);
  });

  it('fails with a positioned error, not a crash, when rules/ cannot be read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertgate-cli-rules-'));
    try {
      await mkdir(join(dir, 'routes'));
      await writeFile(join(dir, 'routes', 'platform.yaml'), 'team: platform\nslack:\n  channel: "#platform-alerts"\n');
      await writeFile(join(dir, 'rules'), 'a file where the folder should be\n');
      const r = await run(['validate'], { ALERTGATE_CONFIG_DIR: dir, FALLBACK_TEAM: 'platform' });
      expect(r.code).toBe(1);
      expect(r.stdoutLines).toEqual(['rules/:1:1 cannot read rules/: ENOTDIR', 'invalid: 1 error, 0 warnings']);
      expect(r.stderrLines).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints one error for a misspelt receiver field, not also the receiver it leaves unset', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertgate-cli-chanel-'));
    try {
      await mkdir(join(dir, 'routes'));
      await writeFile(join(dir, 'routes', 'platform.yaml'), "team: platform\nslack: { chanel: '#team' }\npagerduty: { routingKeyENV: K }\nroutes:\n  - receivers: [slack, pagerduty]\n");
      const r = await run(['validate'], { ALERTGATE_CONFIG_DIR: dir, K: 'x' });
      expect(r.code).toBe(1);
      expect(r.stdoutLines).toEqual([
        'routes/platform.yaml:2:10 slack.chanel: unknown field "chanel"; did you mean "channel"?',
        'routes/platform.yaml:3:14 pagerduty.routingKeyENV: unknown field "routingKeyENV"; did you mean "routingKeyEnv"?',
        'invalid: 2 errors, 0 warnings',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects unexpected arguments with a usage error', async () => {
    const r = await run(['validate', '--strict']);
    expect(r.code).toBe(2);
    expect(r.stderrLines[0]).toMatch(/unexpected argument "--strict"/);
  });
});

describe('alertgate route-test', () => {
  it('--json prints exactly one object on stdout; warnings go to stderr', async () => {
    const r = await run(['route-test', '--labels', 'namespace=payments-prod,severity=critical,alertname=KubePodCrashLooping', '--json']);
    expect(r.code).toBe(0);
    expect(r.stdoutLines).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toEqual({
      team: 'payments',
      attributedBy: 'namespace',
      routes: [{ index: 0, matchers: ['severity="critical"'] }],
      receivers: [{ type: 'slack', channel: '#payments-alerts' }, { type: 'pagerduty' }],
      maintenance: [],
    });
    expect(r.stderrLines).toHaveLength(3);
    expect(r.stderrLines.every((l) => l.includes('warning:'))).toBe(true);
  });

  it('accepts quoted values with commas and --labels=…', async () => {
    const r = await run(['route-test', '--json', '--labels=namespace="book-a-prison-visit-prod",summary="Visits down, again",severity=critical'], KEYS);
    expect(r.code).toBe(0);
    expect(r.stderrLines).toEqual([]);
    expect(JSON.parse(r.stdout)).toEqual({
      team: 'prisons',
      attributedBy: 'namespace',
      routes: [
        { index: 0, matchers: ['severity="critical"', 'namespace=~".*-prod"'] },
      ],
      receivers: [{ type: 'slack', channel: '#prisons-alerts' }, { type: 'pagerduty' }],
      maintenance: [],
    });
  });

  it('takes {} for an alert without labels (the fallback team)', async () => {
    const r = await run(['route-test', '--labels', '{}', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ team: 'platform', attributedBy: 'fallback' });
  });

  it('adds up --labels given more than once, instead of testing only the last', async () => {
    const r = await run(['route-test', '--labels', 'namespace=payments-prod', '--labels=severity=critical', '--json'], KEYS);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      team: 'payments',
      attributedBy: 'namespace',
      routes: [{ index: 0, matchers: ['severity="critical"'] }],
      receivers: [{ type: 'slack', channel: '#payments-alerts' }, { type: 'pagerduty' }],
    });
  });

  it('follows continue: true across routes', async () => {
    const r = await run(['route-test', '--json', '--labels', 'namespace=book-a-prison-visit-staging,severity=warning'], KEYS);
    expect(JSON.parse(r.stdout)).toEqual({
      team: 'prisons',
      attributedBy: 'namespace',
      routes: [
        { index: 1, matchers: ['namespace=~"book-a-prison-visit-.*"'] },
        { index: 2, matchers: ['namespace=~".*-(preprod|staging)"'] },
      ],
      receivers: [
        { type: 'slack', channel: '#visits-alerts' },
        { type: 'slack', channel: '#prisons-preprod-alerts' },
      ],
      maintenance: [],
    });
  });

  it('attributes by team label, by matchers and to the fallback team', async () => {
    const team = await run(['route-test', '--json', '--labels', 'team=probation,namespace=payments-prod'], KEYS);
    expect(JSON.parse(team.stdout)).toMatchObject({ team: 'probation', attributedBy: 'team-label', receivers: [{ type: 'slack', channel: '#probation-alerts' }] });
    const byMatchers = await run(['route-test', '--json', '--labels', 'service=basket,severity=warning'], KEYS);
    expect(JSON.parse(byMatchers.stdout)).toMatchObject({ team: 'payments', attributedBy: 'matchers', receivers: [{ type: 'slack', channel: '#payments-low' }] });
    const fallback = await run(['route-test', '--json', '--labels', 'namespace=brand-new,alertname=Foo'], KEYS);
    expect(JSON.parse(fallback.stdout)).toEqual({
      team: 'platform',
      attributedBy: 'fallback',
      routes: [{ index: 3, matchers: [] }],
      receivers: [{ type: 'slack', channel: '#platform-alerts' }],
      maintenance: [],
    });
  });

  it('prints a readable table without --json', async () => {
    const r = await run(['route-test', '--labels', 'namespace=payments-prod,severity=critical'], KEYS);
    expect(r.code).toBe(0);
    expect(r.stdoutLines).toEqual([
      'labels:         namespace="payments-prod", severity="critical"',
      'team:           payments',
      'attributed by:  namespace',
      'routes:',
      '  INDEX  MATCHERS',
      '  0      severity="critical"',
      'receivers:',
      '  TYPE       DESTINATION',
      '  slack      #payments-alerts',
      '  pagerduty  service of team payments',
      'maintenance:    no window of routes/payments.yaml covers it',
    ]);
  });

  it('says when the team default is used because no route matched', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertgate-cli-'));
    try {
      await mkdir(join(dir, 'routes'));
      const platform = 'team: platform\nslack: { channel: "#platform-alerts" }\nroutes:\n  - matchers: [\'severity="critical"\']\n    receivers: [slack]\n    slack: { channel: "#urgent" }\n';
      await writeFile(join(dir, 'routes', 'platform.yaml'), platform);
      const r = await run(['route-test', '--labels', 'severity=warning'], { ALERTGATE_CONFIG_DIR: dir });
      expect(r.code).toBe(0);
      expect(r.stdoutLines.slice(1)).toEqual([
        'team:           platform',
        'attributed by:  fallback',
        'routes:         none matched: the team default receiver is used',
        'receivers:',
        '  TYPE   DESTINATION',
        '  slack  #platform-alerts',
        'maintenance:    no window of routes/platform.yaml covers it',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with the config errors on stderr and nothing on stdout', async () => {
    const r = await run(['route-test', '--json', '--labels', 'a=b'], { ALERTGATE_CONFIG_DIR: 'test/fixtures/routes-broken' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderrLines).toContain('routes/billing.yaml:7:1 escalation: unknown field "escalation"; the fields here are team, owns, slack, pagerduty, dedup, routes, reports, storm, maintenance');
    expect(r.stderrLines.at(-1)).toMatch(/11 error\(s\); run alertgate validate/);
  });

  it.each([
    [[], /--labels is required/],
    [['--labels'], /--labels needs a value/],
    [['--labels', 'severity!=critical'], /name=value pairs, got operator "!="/],
    [['--labels', 'a=1,a=2'], /label "a" given twice/],
    [['--labels', 'a=1', '--labels', 'b=2,a=3'], /label "a" given twice/],
    [['--labels', 'a="unterminated'], /unescaped double quote/],
    [['--labels', 'a=1', '--yaml'], /unexpected argument "--yaml"/],
    // `--labels "$LABELS"` with LABELS unset: tested as an alert without labels, it went to the fallback team.
    [['--labels', ''], /^route-test: --labels is empty: give the alert's labels \(k=v,…\), or \{\} for an alert without any$/],
    [['--labels', 'a=1', '--labels', ' '], /--labels is empty/],
  ])('usage error for %j', async (args, message) => {
    const r = await run(['route-test', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderrLines[0]).toMatch(message);
  });

  it('refuses an unquoted comma inside a value as Alertmanager does, and says how to quote it', async () => {
    // Alertmanager reads `a=1,b=x,y` as a=1, b=x and a matcher "y": its words alone gave no clue.
    const r = await run(['route-test', '--labels', 'namespace=payments-prod,summary=down,again', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderrLines[0]).toBe(
      'route-test: bad matcher format: again (a comma inside a value must be quoted, as in Alertmanager: write summary="down,again" if "again" belongs to the value of summary)',
    );
    // The same piece inside an earlier quoted value does not mislead it; braces and a second --labels neither.
    const later = await run(['route-test', '--labels', 'severity=critical', '--labels', '{summary="x,y", team=a,y}']);
    expect(later.code).toBe(2);
    expect(later.stderrLines[0]).toContain('write team="a,y" if "y" belongs to the value of team');
    // A piece that follows no name=value pair gets Alertmanager's words alone.
    const first = await run(['route-test', '--labels', 'oops']);
    expect(first.code).toBe(2);
    expect(first.stderrLines[0]).toBe('route-test: bad matcher format: oops');
  });
});

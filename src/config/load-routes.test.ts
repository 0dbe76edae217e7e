import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRoutingConfig } from './load-routes.js';
import { formatSourceError } from './source-error.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const brokenDir = join(repoRoot, 'test/fixtures/routes-broken');

const PLATFORM = 'team: platform\nslack:\n  channel: "#platform-alerts"\n';

const tmpDirs: string[] = [];
afterEach(async () => {
  await Promise.all(tmpDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A config dir holding `routes/<name>` for each entry. */
async function configDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'alertgate-routes-'));
  tmpDirs.push(dir);
  await mkdir(join(dir, 'routes'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'routes', name), text);
  return dir;
}

async function problems(files: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const r = await loadRoutingConfig(await configDir(files), env);
  return { ...r, errorLines: r.errors.map(formatSourceError), warningLines: r.warnings.map(formatSourceError) };
}

describe('the shipped example estate', () => {
  it('validates with only warnings for routing-key variables that are not set', async () => {
    const r = await loadRoutingConfig(repoRoot, {});
    expect(r.errors).toEqual([]);
    expect(r.warnings.map(formatSourceError)).toEqual([
      expect.stringMatching(/^routes\/payments\.yaml:\d+:\d+ warning: .*PAGERDUTY_PAYMENTS_KEY is not set/),
      expect.stringMatching(/^routes\/platform\.yaml:\d+:\d+ warning: .*PAGERDUTY_PLATFORM_KEY is not set/),
      expect.stringMatching(/^routes\/prisons\.yaml:\d+:\d+ warning: .*PAGERDUTY_PRISONS_KEY is not set/),
    ]);
    const config = r.config!;
    expect([...config.teams.keys()]).toEqual(['payments', 'platform', 'prisons', 'probation']);
    expect(config.fallbackTeam).toBe('platform');
  });

  it('has no warnings once the routing keys are injected', async () => {
    const env = { PAGERDUTY_PAYMENTS_KEY: 'k1', PAGERDUTY_PLATFORM_KEY: 'k2', PAGERDUTY_PRISONS_KEY: 'k3' };
    const r = await loadRoutingConfig(repoRoot, env);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('maps the contract example (payments) onto the model', async () => {
    const payments = (await loadRoutingConfig(repoRoot, {})).config!.teams.get('payments')!;
    expect(payments.file).toBe('routes/payments.yaml');
    expect(payments.owns.namespaces).toEqual(['payments-prod', 'payments-staging']);
    expect(payments.owns.matchers.map((m) => m.source)).toEqual(['service=~"checkout|basket"']);
    expect(payments.slack).toEqual({ channel: '#payments-alerts' });
    expect(payments.pagerduty).toEqual({ routingKeyEnv: 'PAGERDUTY_PAYMENTS_KEY' });
    expect(payments.dedup.windowMs).toBe(4 * 3600_000);
    expect(payments.routes.map((r) => ({ ...r, matchers: r.matchers.map((m) => m.source) }))).toEqual([
      { index: 0, matchers: ['severity="critical"'], receivers: ['pagerduty', 'slack'], continue: false },
      { index: 1, matchers: ['severity=~"warning|info"'], receivers: ['slack'], slackChannel: '#payments-low', continue: false },
      { index: 2, matchers: [], receivers: ['slack'], continue: false },
    ]);
    expect(payments.reports).toEqual([{ schedule: '0 9 1 * *', period: 'previous-month', channel: '#payments-leads' }]);
    expect(payments.storm).toEqual({ maxMessagesPerMinute: 20, holdPagerDuty: false });
    expect(payments.maintenance).toHaveLength(1);
    expect(payments.maintenance[0]).toMatchObject({ reason: 'monthly patching', schedule: '0 22 * * 2', duration: '2h' });
    expect(payments.maintenance[0]!.matchers[0]!.matches({ severity: 'warning' })).toBe(true);
  });
});

describe('a broken config dir', () => {
  it('reports every mistake of every file at once, each at file:line:col', async () => {
    const r = await loadRoutingConfig(brokenDir, {});
    expect(r.config).toBeUndefined();
    expect(r.errors.map(formatSourceError)).toEqual([
      'routes/billing.yaml:3:16 owns.namespaces[0]: namespace "billing-prod" is also owned by team "ledger" (routes/ledger.yaml:3:29); a namespace has one owner',
      'routes/billing.yaml:4:14 owns.matchers[0]: invalid regular expression in matcher service=~"invoice(": error parsing regexp: missing closing ): `invoice(`',
      'routes/billing.yaml:7:1 escalation: unknown field "escalation"; the fields here are team, owns, slack, pagerduty, dedup, routes, reports, storm, maintenance',
      'routes/billing.yaml:10:17 routes[0].receivers[0]: receiver "pagerduty" is not configured: add a pagerduty: section with routingKeyEnv or routingKeyFile',
      expect.stringMatching(/^routes\/broken-syntax\.yaml:4:1 .*Flow sequence/),
      'routes/ledger.yaml:3:29 owns.namespaces[1]: namespace "billing-prod" is already owned by team "billing" (routes/billing.yaml:3:16); a namespace has one owner',
      expect.stringMatching(/^routes\/ledger\.yaml:5:11 dedup\.window: not a valid duration string: "4hours"/),
      'routes/ledger.yaml:7:17 routes[0].receivers[0]: receiver "slack" is not configured: set slack.channel for the team or slack.channel on this route',
      'routes/reporting.yaml:1:7 team: "Reporting" does not match the file name: routes/reporting.yaml must hold team "reporting"',
      'routes/reporting.yaml:1:7 team: "Reporting" is not a team name: a team name is lower-case letters, digits and "-", starting with a letter (^[a-z][a-z0-9-]{1,62}$), such as "reporting"',
      'routes/search.yaml:1:7 team: "prisoner-search" does not match the file name: routes/search.yaml must hold team "search" (or rename the file prisoner-search.yaml)',
    ]);
    // Teams are known by file name even when the config is invalid (for rules/ validation).
    expect(r.teamNames).toEqual(['billing', 'broken-syntax', 'ledger', 'platform', 'reporting', 'search']);
  });
});

describe('loadRoutingConfig checks', () => {
  it('reports a missing fallback team at the routes/ folder', async () => {
    const r = await problems({ 'payments.yaml': 'team: payments\nslack:\n  channel: "#p"\n' });
    expect(r.errorLines).toEqual([expect.stringMatching(/^routes\/:1:1 fallback team "platform" \(FALLBACK_TEAM\) has no routes file/)]);
  });

  it('takes the fallback team from FALLBACK_TEAM', async () => {
    const files = { 'ops.yaml': 'team: ops\nslack:\n  channel: "#ops"\n' };
    expect((await problems(files)).errors).toHaveLength(1);
    const r = await problems(files, { FALLBACK_TEAM: 'ops' });
    expect(r.errors).toEqual([]);
    expect(r.config!.fallbackTeam).toBe('ops');
  });

  it('reads a FALLBACK_TEAM of only whitespace as unset, and drops surrounding whitespace, as every setting', async () => {
    const files = { 'platform.yaml': 'team: platform\nslack:\n  channel: "#p"\n', 'ops.yaml': 'team: ops\nslack:\n  channel: "#ops"\n' };
    expect((await problems(files, { FALLBACK_TEAM: ' ' })).config!.fallbackTeam).toBe('platform');
    expect((await problems(files, { FALLBACK_TEAM: 'ops\n' })).config!.fallbackTeam).toBe('ops');
  });

  it('treats an absent routes/ folder as zero teams (so only the fallback team is missing)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertgate-empty-'));
    tmpDirs.push(dir);
    const r = await loadRoutingConfig(dir, {});
    expect(r.teamNames).toEqual([]);
    expect(r.errors.map(formatSourceError)).toEqual([expect.stringMatching(/^routes\/:1:1 fallback team "platform"/)]);
  });

  it('says the config dir has no routes/ folder at all, naming it (alertgate run from the wrong folder)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertgate-empty-'));
    tmpDirs.push(dir);
    const [message] = (await loadRoutingConfig(dir, {})).errors.map((e) => e.message);
    expect(message).toContain(`there is no routes/ folder in ${dir}`);
    expect(message).toContain('ALERTGATE_CONFIG_DIR');
    // An existing routes/ without the fallback team's file is a plain missing file.
    const r = await problems({ 'payments.yaml': 'team: payments\nslack:\n  channel: "#p"\n' });
    expect(r.errors[0]!.message).not.toContain('no routes/ folder');
  });

  it('requires the fallback team to be able to receive', async () => {
    const r = await problems({ 'platform.yaml': 'team: platform\n' });
    expect(r.errorLines).toEqual([expect.stringMatching(/^routes\/platform\.yaml:1:1 fallback team "platform" needs slack\.channel or pagerduty/)]);
  });

  it('rejects a team name ending in "-" at its team field: it would be the Kubernetes label value of generated objects', async () => {
    const r = await problems({ 'platform.yaml': PLATFORM, 'web-.yaml': 'team: web-\nslack:\n  channel: "#web"\n' });
    expect(r.errorLines).toEqual([
      expect.stringMatching(/^routes\/web-\.yaml:1:7 team: team name must end with a letter or digit: it becomes the Kubernetes label value team=web- /),
    ]);
    expect((await problems({ 'platform.yaml': PLATFORM, 'web-1.yaml': 'team: web-1\nslack:\n  channel: "#web"\n' })).errors).toEqual([]);
  });

  it('defaults: dedup window 4h, no routes, no owns', async () => {
    const r = await problems({ 'platform.yaml': PLATFORM });
    const team = r.config!.teams.get('platform')!;
    expect(team.dedup.windowMs).toBe(4 * 3600_000);
    expect(team.routes).toEqual([]);
    expect(team.owns).toEqual({ namespaces: [], matchers: [] });
    expect(team.maintenance).toEqual([]);
    expect(team.reports).toEqual([]);
  });

  it('pagerduty needs exactly one of routingKeyEnv and routingKeyFile', async () => {
    const both = 'team: platform\npagerduty:\n  routingKeyEnv: K\n  routingKeyFile: /run/secrets/k\n';
    const neither = 'team: platform\npagerduty: {}\n';
    expect((await problems({ 'platform.yaml': both }, { K: 'x' })).errorLines).toEqual([
      'routes/platform.yaml:3:3 pagerduty: set exactly one of routingKeyEnv and routingKeyFile, not both',
    ]);
    expect((await problems({ 'platform.yaml': neither })).errorLines).toEqual([
      'routes/platform.yaml:2:12 pagerduty: set exactly one of routingKeyEnv and routingKeyFile',
    ]);
  });

  it('routing keys: an unset variable or unreadable file is a warning; a relative file an error', async () => {
    const keyFile = join(await configDir({}), 'pd-key');
    await writeFile(keyFile, 'secret');
    const withFile = (f: string) => `team: platform\npagerduty:\n  routingKeyFile: ${f}\n`;
    expect((await problems({ 'platform.yaml': withFile(keyFile) })).warnings).toEqual([]);
    const missing = await problems({ 'platform.yaml': withFile('/nonexistent/pd-key') });
    expect(missing.errors).toEqual([]);
    expect(missing.warningLines).toEqual([expect.stringMatching(/^routes\/platform\.yaml:3:19 warning: pagerduty\.routingKeyFile: routing key file \/nonexistent\/pd-key is not readable/)]);
    expect((await problems({ 'platform.yaml': withFile('secrets/pd-key') })).errorLines).toEqual([
      expect.stringMatching(/^routes\/platform\.yaml:3:19 pagerduty\.routingKeyFile: must be an absolute path/),
    ]);
    const env = await problems({ 'platform.yaml': 'team: platform\npagerduty:\n  routingKeyEnv: PD_KEY\n' });
    expect(env.config).toBeDefined();
    expect(env.warningLines).toEqual([expect.stringMatching(/^routes\/platform\.yaml:3:18 warning: .*PD_KEY is not set/)]);
    // Blank is no key at send time (delivery/pagerduty/routing-key trims it): warned alike.
    const blank = await problems({ 'platform.yaml': 'team: platform\npagerduty:\n  routingKeyEnv: PD_KEY\n' }, { PD_KEY: ' \n' });
    expect(blank.warningLines).toEqual([expect.stringMatching(/^routes\/platform\.yaml:3:18 warning: .*PD_KEY is not set/)]);
    // A name every object inherits a member of is no variable that is set (it threw: found by
    // the property test, routingKeyEnv: constructor). Checked against a real process.env too.
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      for (const env of [{}, process.env]) {
        const inherited = await problems({ 'platform.yaml': `team: platform\npagerduty:\n  routingKeyEnv: ${name}\n` }, env);
        expect(inherited.errorLines, name).toEqual([]);
        expect(inherited.warningLines, name).toEqual([expect.stringMatching(new RegExp(`^routes/platform\\.yaml:3:18 warning: .*variable ${name} is not set`))]);
      }
    }
  });

  it('a routing key written where its variable or file belongs: an error at the field that never prints the key', async () => {
    // PagerDuty's documentation example of an integration key, and the same shape starting with a digit (no variable name).
    const letterFirst = 'e93facc04764012d7bfb002500d5d1a6';
    const digitFirst = '0e93facc04764012d7bfb002500d5d1a';
    const slackToken = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp';
    const withKey = (field: string, value: string) => `team: platform\npagerduty:\n  ${field}: ${value}\n`;
    const cases = [
      { field: 'routingKeyEnv', value: letterFirst, says: /^routes\/platform\.yaml:3:18 pagerduty\.routingKeyEnv: takes the name of the environment variable .*looks like a PagerDuty routing key itself \(not shown here\)/ },
      { field: 'routingKeyEnv', value: digitFirst, says: /^routes\/platform\.yaml:3:18 pagerduty\.routingKeyEnv: / },
      { field: 'routingKeyFile', value: letterFirst, says: /^routes\/platform\.yaml:3:19 pagerduty\.routingKeyFile: takes the absolute path of the file .*looks like a PagerDuty routing key itself/ },
      // Not key-shaped, still not to be echoed: a secret to rotate, as anywhere in routes/.
      { field: 'routingKeyEnv', value: slackToken, says: /^routes\/platform\.yaml:3:18 pagerduty\.routingKeyEnv: this value looks like a Slack token itself \(not shown here\): .*rotate it/ },
      { field: 'routingKeyFile', value: slackToken, says: /^routes\/platform\.yaml:3:19 pagerduty\.routingKeyFile: this value looks like a Slack token itself \(not shown here\): .*rotate it/ },
      // Neither a variable name nor an absolute path, nor a secret's shape: refused, not quoted.
      { field: 'routingKeyEnv', value: 'my-key', says: /^routes\/platform\.yaml:3:18 pagerduty\.routingKeyEnv: not an environment variable name$/ },
    ];
    for (const { field, value, says } of cases) {
      const r = await problems({ 'platform.yaml': withKey(field, value) }, {});
      const lines = [...r.errorLines, ...r.warningLines];
      expect(r.config, `${field}: ${value}`).toBeUndefined();
      expect(r.errorLines, `${field}: ${value}`).toContainEqual(expect.stringMatching(says));
      expect(lines.filter((l) => l.includes(value)), `${field}: ${value}`).toEqual([]);
    }
  });

  it('positions unknown nested fields at their key', async () => {
    const text = `${PLATFORM}routes:\n  - receivers: [slack]\n    recievers: [pagerduty]\n`;
    expect((await problems({ 'platform.yaml': text })).errorLines).toEqual([
      'routes/platform.yaml:6:5 routes[0].recievers: unknown field "recievers"; did you mean "receivers"?',
    ]);
  });

  it('a misspelt receiver field is one error: the receiver it leaves unset is not reported again', async () => {
    const cases = [
      { text: "team: platform\nslack: { chanel: '#team' }\nroutes:\n  - receivers: [slack]\n", says: 'routes/platform.yaml:2:10 slack.chanel: unknown field "chanel"; did you mean "channel"?' },
      { text: "team: platform\nslak: { channel: '#team' }\nroutes:\n  - receivers: [slack]\n", says: 'routes/platform.yaml:2:1 slak: unknown field "slak"; did you mean "slack"?' },
      {
        text: "team: platform\npagerduty: { routingKeyEnv: K }\nroutes:\n  - receivers: [slack]\n    slack: { chanel: '#team' }\n",
        says: 'routes/platform.yaml:5:14 routes[0].slack.chanel: unknown field "chanel"; did you mean "channel"?',
      },
      {
        text: "team: platform\nslack: { channel: '#t' }\npagerduty: { routingKeyENV: K }\nroutes:\n  - receivers: [pagerduty]\n",
        says: 'routes/platform.yaml:3:14 pagerduty.routingKeyENV: unknown field "routingKeyENV"; did you mean "routingKeyEnv"?',
      },
      {
        text: "team: platform\nslack: { channel: '#t' }\npagerduty: { routingkeyfile: /run/k }\nroutes:\n  - receivers: [pagerduty]\n",
        says: 'routes/platform.yaml:3:14 pagerduty.routingkeyfile: unknown field "routingkeyfile"; did you mean "routingKeyFile"?',
      },
      { text: "team: platform\npagerduti: { routingKeyEnv: K }\nroutes:\n  - receivers: [pagerduty]\n", says: 'routes/platform.yaml:2:1 pagerduti: unknown field "pagerduti"; did you mean "pagerduty"?' },
      {
        text: "team: platform\npagerduty: { routingKeyEnv: K }\nreports:\n  - schedule: '0 9 * * 1'\n    period: previous-week\n    chanel: '#r'\n",
        says: 'routes/platform.yaml:6:5 reports[0].chanel: unknown field "chanel"; did you mean "channel"?',
      },
      { text: "team: platform\nslack: '#team'\nroutes:\n  - receivers: [slack]\n", says: 'routes/platform.yaml:2:8 slack: expected a map (name: value lines indented under it), found the text "#team"' },
    ];
    for (const { text, says } of cases) {
      const r = await problems({ 'platform.yaml': text }, { K: 'x' });
      expect(r.errorLines, text).toEqual([says]);
    }
  });

  it('reports a map that refers to itself through an alias (&a … *a) as positioned errors, not a stack overflow (property-config seed -1530191649)', async () => {
    expect((await problems({ 'platform.yaml': `&a\n${PLATFORM}<<: *a\n` })).errorLines).toEqual([
      'routes/platform.yaml:5:1 <<: unknown field "<<": YAML merge keys (<<: *anchor) are not supported; write the fields out, or put an anchor on a whole value and refer to it (labels: *common)',
    ]);
    const nested = `${PLATFORM}owns: &o\n  namespaces: [platform-prod]\n  self: *o\n`;
    expect((await problems({ 'platform.yaml': nested })).errorLines).toEqual([
      'routes/platform.yaml:6:3 owns.self: unknown field "self"; the fields here are namespaces, matchers',
    ]);
  });

  it('checks receivers, empty matcher strings and ineffective channel overrides', async () => {
    const text = [
      'team: platform',
      'pagerduty:',
      '  routingKeyEnv: K',
      'routes:',
      '  - matchers: [""]',
      '    receivers: [slack]',
      '  - receivers: [slack]',
      '    slack: { channel: "#ok" }',
      '  - receivers: [pagerduty, email]',
      '  - receivers: [pagerduty]',
      '    slack: { channel: "#unused" }',
      '',
    ].join('\n');
    const r = await problems({ 'platform.yaml': text }, { K: 'x' });
    expect(r.errorLines).toEqual([
      'routes/platform.yaml:5:16 routes[0].matchers[0]: empty matcher string (it would match every alert)',
      'routes/platform.yaml:6:17 routes[0].receivers[0]: receiver "slack" is not configured: set slack.channel for the team or slack.channel on this route',
      'routes/platform.yaml:9:28 routes[2].receivers[1]: expected one of slack, pagerduty, found the text "email"',
    ]);
    expect(r.warningLines).toEqual([
      "routes/platform.yaml:11:12 warning: routes[3].slack: slack channel override has no effect: the route's receivers do not include slack",
    ]);
  });

  it('checks reports, storm and maintenance shapes', async () => {
    const text = [
      'team: platform',
      'pagerduty: { routingKeyEnv: K }',
      'reports:',
      '  - schedule: "0 9 * *"',
      '    period: last-quarter',
      '    timezone: Mars/Olympus',
      'storm:',
      '  maxMessagesPerMinute: 0',
      'maintenance:',
      '  - reason: patching',
      '    schedule: "0 22 * * 2"',
      '  - reason: migration',
      '    start: 2026-03-01T22:00:00Z',
      '    end: 2026-03-01T20:00:00Z',
      '  - reason: both',
      '    schedule: "0 22 * * 2"',
      '    duration: 1h',
      '    start: 2026-03-01T22:00:00Z',
      '    end: 2026-03-02T02:00:00Z',
      '  - reason: bad time',
      '    start: tomorrow',
      '    end: 2026-03-02T02:00:00Z',
      '',
    ].join('\n');
    const r = await problems({ 'platform.yaml': text }, { K: 'x' });
    expect(r.errorLines).toEqual([
      'routes/platform.yaml:4:5 reports[0]: report has no channel: set channel here or slack.channel for the team',
      'routes/platform.yaml:4:15 reports[0].schedule: cron schedule must have 5 or 6 fields, got 4: "0 9 * *"',
      'routes/platform.yaml:5:13 reports[0].period: expected one of previous-day, previous-week, previous-month, month-to-date, quarter, previous-quarter, found the text "last-quarter"',
      'routes/platform.yaml:6:15 reports[0].timezone: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/London)',
      'routes/platform.yaml:8:25 storm.maxMessagesPerMinute: expected a number above 0, found the number 0',
      'routes/platform.yaml:11:15 maintenance[0].schedule: a schedule needs a duration',
      'routes/platform.yaml:14:10 maintenance[1].end: end must be after start',
      'routes/platform.yaml:15:5 maintenance[2]: use either schedule + duration (recurring) or start + end (one-off), not both',
      'routes/platform.yaml:21:12 maintenance[3].start: expected an RFC3339 timestamp, e.g. 2026-03-01T22:00:00Z',
    ]);
  });

  it('checks a report schedule with the parser that runs it (the maintenance cron), naming the field at fault', async () => {
    const text = [
      'team: platform',
      'slack: { channel: "#platform-alerts" }',
      'reports:',
      '  - schedule: "0 25 * * *"',
      '    period: previous-day',
      '  - schedule: "0 9 ? * mon"',
      '    period: previous-week',
      '  - schedule: "0 0 9 1 * *"', // a leading seconds field, as node-cron took it
      '    period: previous-month',
      '  - schedule: "60 0 9 1 * *"',
      '    period: previous-month',
      'maintenance:',
      '  - schedule: "5- 22 * * 2"', // a typo that used to read as 5-0: a window that never opens
      '    duration: 1h',
      '    reason: weekly patching',
      '',
    ].join('\n');
    const r = await problems({ 'platform.yaml': text });
    expect(r.errorLines).toEqual([
      'routes/platform.yaml:4:15 reports[0].schedule: invalid cron schedule "0 25 * * *": "25" is not in 0-23',
      'routes/platform.yaml:6:15 reports[1].schedule: invalid cron schedule "0 9 ? * mon": "?" is not a number',
      'routes/platform.yaml:10:15 reports[3].schedule: invalid cron schedule "60 0 9 1 * *": "60" is not in 0-59',
      'routes/platform.yaml:13:15 maintenance[0].schedule: invalid cron schedule "5- 22 * * 2": a number is missing in "5-"',
    ]);
  });

  it('reports duplicate namespaces within a team and duplicate team files', async () => {
    const r = await problems({
      'platform.yaml': `${PLATFORM}owns:\n  namespaces: [monitoring, monitoring]\n`,
      'platform.yml': PLATFORM,
    });
    expect(r.errorLines).toEqual([
      'routes/platform.yaml:5:28 owns.namespaces[1]: namespace "monitoring" is listed twice',
      'routes/platform.yml:1:1 team "platform" is already defined in routes/platform.yaml',
    ]);
  });

  it('reports an empty file and a non-object document at line 1', async () => {
    const r = await problems({ 'platform.yaml': PLATFORM, 'empty.yaml': '', 'list.yaml': '- a\n- b\n' });
    expect(r.errorLines).toEqual([
      'routes/empty.yaml:1:1 the file is empty: expected a team routing document (team: …)',
      'routes/list.yaml:1:1 the file holds a list, but a team file is a map of fields, starting with team: <name>',
    ]);
  });

  it('reads .yml files and symlinks (ConfigMap mounts), skips hidden entries and other files', async () => {
    const dir = await configDir({ 'payments.yml': 'team: payments\nslack: { channel: "#payments" }\n', 'README.md': '# not config', '.hidden.yaml': 'junk: [' });
    await mkdir(join(dir, 'routes', '..data'));
    await writeFile(join(dir, 'routes', '..data', 'platform.yaml'), PLATFORM);
    await symlink(join(dir, 'routes', '..data', 'platform.yaml'), join(dir, 'routes', 'platform.yaml'));
    const r = await loadRoutingConfig(dir, {});
    expect(r.errors).toEqual([]);
    expect([...r.config!.teams.keys()]).toEqual(['payments', 'platform']);
    expect(r.config!.teams.get('payments')!.file).toBe('routes/payments.yml');
  });
});

/**
 * The messages a product team onboarding to alertgate meets for the usual slips in its first
 * routes/, rules/ and dashboards/ files: each names the file, line:col and field, says what is
 * wrong and what to write instead (not zod's "Invalid input: expected string, received undefined").
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadRoutingConfig } from './load-routes.js';
import { loadTeamSpecs } from './load-team-specs.js';
import { formatSourceError } from './source-error.js';
import { makeConfigDir, removeTempDirs, routesFile, routeTeamsOf } from '../../test/generate-helpers.js';

afterAll(removeTempDirs);

/** The routes' errors of a config dir holding `files` (the fallback team orders). */
async function routeErrors(files: Record<string, string>): Promise<string[]> {
  const r = await loadRoutingConfig(await makeConfigDir(files), { FALLBACK_TEAM: 'orders' });
  return r.errors.map(formatSourceError);
}

async function ruleErrors(rules: string): Promise<string[]> {
  const dir = await makeConfigDir({ 'routes/orders.yaml': routesFile('orders'), 'rules/orders.yaml': rules });
  const r = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
  return r.errors.map(formatSourceError);
}

const HEAD = 'team: orders\nnamespace: orders-prod\n';
/** An alert with `forLine` at line 6 and a label carrying a tag yaml does not know (a warning) at line 10. */
const ALERTS_TAGGED = (forLine: string) => `${HEAD}alerts:
  - name: OrdersDown
    expr: up == 0
${forLine}
    severity: critical
    summary: down
    labels:
      page: !foo yes
    runbook: https://runbooks.example/down
`;
const SLO = (objective: string) => `${HEAD}slos:
  - name: orders-availability
    objective: ${objective}
    window: 30d
    runbook: https://runbooks.example/orders-slo
    errors: sum(rate(http_requests_total{job="orders",code=~"5.."}[{{window}}]))
    total: sum(rate(http_requests_total{job="orders"}[{{window}}]))
`;

describe('messages for the slips of a team writing its first files', () => {
  it('answers a misspelled field with the field meant, once, not also as a missing one', async () => {
    const errors = await ruleErrors(`${HEAD}alerts:
  - name: OrdersDown
    expr: up == 0
    severty: critical
    summary: down
    runbook: https://runbooks.example/down
`);
    expect(errors).toEqual(['rules/orders.yaml:6:5 alerts[0].severty: unknown field "severty"; did you mean "severity"?']);
  });

  it('names a required field that is missing, where its object starts', async () => {
    const errors = await ruleErrors(`${HEAD}alerts:
  - name: OrdersDown
    expr: up == 0
    severity: critical
    runbook: https://runbooks.example/down
`);
    expect(errors).toEqual(['rules/orders.yaml:4:5 alerts[0].summary: missing field "summary", which is required here']);
  });

  it('lists the fields of the place an unknown field is in when none is close', async () => {
    const errors = await ruleErrors(`${HEAD}owner: orders-devs\n`);
    expect(errors).toEqual(['rules/orders.yaml:3:1 owner: unknown field "owner"; the fields here are team, namespace, alerts, slos, uptime']);
  });

  it('reports a key that is a list or a map (? [a, b]) at the key, not at the start of the file', async () => {
    const fields = 'the fields here are team, namespace, alerts, slos, uptime';
    expect(await ruleErrors(`${HEAD}? [a, b]\n: c\nalerts:\n  - ? {k: v}\n    : d\n`)).toEqual([
      `rules/orders.yaml:3:3 [ a, b ]: unknown field "[ a, b ]"; ${fields}`,
      ...['expr', 'name', 'runbook', 'severity', 'summary'].map((f) => `rules/orders.yaml:6:5 alerts[0].${f}: missing field "${f}", which is required here`),
      'rules/orders.yaml:6:7 alerts[0].{ k: v }: unknown field "{ k: v }"; the fields here are name, expr, for, keep_firing_for, severity, summary, runbook, description, labels, annotations',
    ]);
  });
  it('says YAML merge keys are not supported, and what to do instead', async () => {
    const errors = await ruleErrors(`${HEAD}alerts:
  - &down
    name: OrdersDown
    expr: up == 0
    severity: critical
    summary: down
    runbook: https://runbooks.example/down
  - <<: *down
    name: OrdersDownToo
`);
    expect(errors).toEqual([
      'rules/orders.yaml:10:5 alerts[1].<<: unknown field "<<": YAML merge keys (<<: *anchor) are not supported; write the fields out, or put an anchor on a whole value and refer to it (labels: *common)',
      'rules/orders.yaml:10:5 alerts[1].expr: missing field "expr", which is required here',
      'rules/orders.yaml:10:5 alerts[1].runbook: missing field "runbook", which is required here',
      'rules/orders.yaml:10:5 alerts[1].severity: missing field "severity", which is required here',
      'rules/orders.yaml:10:5 alerts[1].summary: missing field "summary", which is required here',
    ]);
  });

  it('refuses an objective written as "99.9%" or quoted, saying what to write', async () => {
    expect(await ruleErrors(SLO('99.9%'))).toEqual([
      'rules/orders.yaml:5:16 slos[0].objective: objective is a number of percent, without quotes or "%": write objective: 99.9',
    ]);
    expect(await ruleErrors(SLO('"99.5"'))).toEqual([
      'rules/orders.yaml:5:16 slos[0].objective: objective is a number of percent, without quotes or "%": write objective: 99.5',
    ]);
  });

  it('refuses an objective written as a ratio (0.999 would be 0.999 %, whose alerts never fire)', async () => {
    expect(await ruleErrors(SLO('0.999'))).toEqual([
      'rules/orders.yaml:5:16 slos[0].objective: objective is in percent: 0.999 would mean 0.999 %; for 99.9 % write objective: 99.9',
    ]);
    const uptime = `${HEAD}uptime:\n  - service: orders\n    up: probe_success{job="blackbox"}\n    objective: 0.995\n`;
    expect(await ruleErrors(uptime)).toEqual([
      'rules/orders.yaml:6:16 uptime[0].objective: objective is in percent: 0.995 would mean 0.995 %; for 99.5 % write objective: 99.5',
    ]);
  });

  it('answers a misspelled field of a routes file with the field meant', async () => {
    const dir = await makeConfigDir({ 'routes/orders.yaml': 'team: orders\nslack:\n  chanel: "#orders"\n' });
    const r = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders' });
    // (orders also lacks its Slack channel as the fallback team: another error, not checked here)
    expect(r.errors.map(formatSourceError)).toContain('routes/orders.yaml:3:3 slack.chanel: unknown field "chanel"; did you mean "channel"?');
  });
  describe('a mis-indented line is one error, at that line, naming the column to use', () => {
    const ALERT = (forLine: string) => `${HEAD}alerts:
  - name: OrdersDown
    expr: sum(up{job="orders"}) == 0
${forLine}
    severity: critical
    summary: down
    runbook: https://runbooks.example/down
`;

    it('a line one space too deep (yaml said "Implicit keys need to be on a single line" on the line above)', async () => {
      expect(await ruleErrors(ALERT('     for: 2m'))).toEqual([
        'rules/orders.yaml:6:6 bad indentation: this line starts at column 6, deeper than the key on line 5 (column 5), so YAML reads it as more of that key\'s value; start it at column 5 (a value of several lines holding ": " needs a block scalar, |)',
      ]);
    });

    it('a line too shallow (yaml said "All mapping items must start at the same column" at column 1, and two more)', async () => {
      expect(await ruleErrors(ALERT('  for: 2m'))).toEqual([
        'rules/orders.yaml:6:3 bad indentation: "for" starts at column 3, but the key on line 5 starts at column 5: keys of one map start at the same column (indent with spaces)',
      ]);
    });

    it('a tab as indentation, without the follow-on errors', async () => {
      expect(await ruleErrors(ALERT('\tfor: 2m'))).toEqual([
        'rules/orders.yaml:6:1 a tab is used as indentation: YAML indents with spaces only; replace the tab with spaces',
      ]);
    });

    // With more of the file below the slip, yaml loses its way there too: the lines below get
    // errors of their own ("Implicit map keys need to be followed by map values" and others).
    const MORE = `  - name: OrdersSlow
    expr: sum(rate(http_requests_total{job="orders"}[5m])) < 1
${'    for: 10m'}
    severity: warning
    summary: slow
    runbook: https://runbooks.example/slow
`;

    it('a tab as indentation with more alerts below: one error, not the parser\'s on the lines below', async () => {
      expect(await ruleErrors(ALERT('\tfor: 2m') + MORE)).toEqual([
        'rules/orders.yaml:6:1 a tab is used as indentation: YAML indents with spaces only; replace the tab with spaces',
      ]);
    });

    it('a line too shallow with more alerts below: one error', async () => {
      expect(await ruleErrors(ALERT('  for: 2m') + MORE)).toEqual([
        'rules/orders.yaml:6:3 bad indentation: "for" starts at column 3, but the key on line 5 starts at column 5: keys of one map start at the same column (indent with spaces)',
      ]);
    });

    it('a line one column too shallow (yaml said "Sequence item without - indicator")', async () => {
      expect(await ruleErrors(ALERT('   for: 2m') + MORE)).toEqual([
        'rules/orders.yaml:6:4 bad indentation: "for" starts at column 4, but the key on line 5 starts at column 5: keys of one map start at the same column (indent with spaces)',
      ]);
    });

    it('every mis-indented line of a file, each once: a tab in one alert and a shallow line in the next', async () => {
      expect(await ruleErrors(ALERT('\tfor: 2m') + MORE.replace('    for: 10m', '   for: 10m'))).toEqual([
        'rules/orders.yaml:6:1 a tab is used as indentation: YAML indents with spaces only; replace the tab with spaces',
        'rules/orders.yaml:12:4 bad indentation: "for" starts at column 4, but the key on line 11 starts at column 5: keys of one map start at the same column (indent with spaces)',
      ]);
    });

    it('a list indented with tabs throughout, its items too: each line once, and then the mistakes of the file read as meant', async () => {
      const tabs = `${HEAD}alerts:\n\t- name: OrdersDown\n\t\texpr: up == 0\n\t\tseverity: critical\n\t- name: OrdersSlow\n\t\texpr: up < 1\n`;
      const tab = (line: number) => `rules/orders.yaml:${line}:1 a tab is used as indentation: YAML indents with spaces only; replace the tab with spaces`;
      const missing = (at: string, field: string) => `rules/orders.yaml:${at} alerts[${at.startsWith('4') ? 0 : 1}].${field}: missing field "${field}", which is required here`;
      expect(await ruleErrors(tabs)).toEqual([
        tab(4),
        // The alerts lack these indeed; they start at column 4, after "\t- ".
        missing('4:4', 'runbook'),
        missing('4:4', 'summary'),
        ...[5, 6, 7].map(tab),
        missing('7:4', 'runbook'),
        missing('7:4', 'severity'),
        missing('7:4', 'summary'),
        tab(8),
      ]);
    });

    it('a file indented with tabs throughout is told of its first 21 lines, not of 400', async () => {
      const alerts = Array.from({ length: 100 }, (_, i) => `\t- name: A${i}\n\t\texpr: up == 0\n\t\tseverity: critical\n\t\tsummary: s\n`).join('');
      const errors = await ruleErrors(`${HEAD}alerts:\n${alerts}`);
      expect(errors).toHaveLength(21);
      expect(errors.every((e) => e.includes('a tab is used as indentation'))).toBe(true);
    });

    it('a tab under a key that opens a map, and another tab further down: both, each once', async () => {
      const labels = ALERT('    for: 2m').replace('    severity: critical\n', '    severity: critical\n    labels:\n\tservice: orders\n');
      expect(await ruleErrors(labels + MORE.replace('\n    for: 10m', '\n\tfor: 10m'))).toEqual([
        'rules/orders.yaml:9:1 a tab is used as indentation: YAML indents with spaces only; replace the tab with spaces',
        'rules/orders.yaml:14:1 a tab is used as indentation: YAML indents with spaces only; replace the tab with spaces',
      ]);
    });

    it('a tab under a key whose value on its line is only an anchor or a tag (labels: &l, x: !!map): the tab alone, no false errors from reading on', async () => {
      const TAB = 'a tab is used as indentation: YAML indents with spaces only; replace the tab with spaces';
      const anchored = ALERT('    labels: &l\n\tpage: "yes"\n    annotations: *l');
      expect(await ruleErrors(anchored)).toEqual([`rules/orders.yaml:7:1 ${TAB}`]);
      const tagged = ALERT('    labels: !!map # routing\n\tpage: "yes"');
      expect(await ruleErrors(tagged)).toEqual([`rules/orders.yaml:7:1 ${TAB}`]);
      const both = ALERT('    labels: &l !!map\n\tpage: "yes"\n    annotations: *l');
      expect(await ruleErrors(both)).toEqual([`rules/orders.yaml:7:1 ${TAB}`]);
    });

    const BLOCK_TAB = 'a tab is used as indentation in the text of a block scalar (| or >): YAML indents with spaces only; replace the tab with spaces';
    const summary = (text: string) => ALERT('    for: 2m').replace('    summary: down\n', `    summary: ${text}`);

    it('a tab indenting the first line of a block scalar (|): one error at the tab, not the parser\'s two', async () => {
      expect(await ruleErrors(summary('|\n\tOrders are down\n'))).toEqual([`rules/orders.yaml:9:1 ${BLOCK_TAB}`]);
      expect(await ruleErrors(summary('>-\n\tOrders are down\n') + MORE)).toEqual([`rules/orders.yaml:9:1 ${BLOCK_TAB}`]);
    });

    it('a tab indenting a later line of a block scalar, after spaces: at the tab, and the slips below it still found', async () => {
      const text = summary('|\n      Orders are down\n  \tsince the deploy\n') + MORE.replace('    for: 10m', '   for: 10m');
      expect(await ruleErrors(text)).toEqual([
        `rules/orders.yaml:10:3 ${BLOCK_TAB}`,
        'rules/orders.yaml:14:4 bad indentation: "for" starts at column 4, but the key on line 13 starts at column 5: keys of one map start at the same column (indent with spaces)',
      ]);
    });

    it('a tab after the spaces that indent a block scalar\'s text is text, not an error', async () => {
      expect(await ruleErrors(summary('|\n      Orders are down\n      \tsince the deploy\n'))).toEqual([]);
    });

    it('the same in a CRLF file whose lines above end with a comment', async () => {
      const lf = ALERT('    # held a while\n  for: 2m') + MORE.replace('    for: 10m', '    labels: # routing\n\tservice: orders');
      const expected = [
        'rules/orders.yaml:7:3 bad indentation: "for" starts at column 3, but the key on line 5 starts at column 5: keys of one map start at the same column (indent with spaces)',
        'rules/orders.yaml:14:1 a tab is used as indentation: YAML indents with spaces only; replace the tab with spaces',
      ];
      expect(await ruleErrors(lf)).toEqual(expected);
      expect(await ruleErrors(lf.replace(/\n/g, '\r\n'))).toEqual(expected);
    });
  });
  it('says a second YAML document ("---") has no place in a team file, not yaml\'s "please use YAML.parseAllDocuments()"', async () => {
    const file = `${HEAD}alerts:\n  - name: OrdersDown\n    expr: up == 0\n    severity: critical\n    summary: down\n    runbook: https://runbooks.example/down\n---\n`;
    expect(await ruleErrors(file)).toEqual([
      'rules/orders.yaml:9:1 a second YAML document starts here ("---"): a team file is one document; remove this line (another team\'s config goes in a file of its own)',
    ]);
  });
  it('warns of a route matching a misspelled severity, which no alert of alertgate\'s carries (critical alerts would not page)', async () => {
    const dir = await makeConfigDir({
      'routes/orders.yaml': `team: orders
slack:
  channel: "#orders"
pagerduty:
  routingKeyEnv: ORDERS_KEY
routes:
  - matchers: ['severity="crtical"']
    receivers: [pagerduty, slack]
  - matchers: ['severity=~"Warning|info|none"', 'severity!="page"']
    receivers: [slack]
`,
    });
    const r = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders', ORDERS_KEY: 'k' });
    expect(r.errors).toEqual([]);
    expect(r.warnings.map(formatSourceError)).toEqual([
      'routes/orders.yaml:7:16 warning: routes[0].matchers[0]: severity "crtical" is none of the severities of alertgate\'s rules (critical, warning, info; ALERTGATE_SEVERITIES); did you mean "critical"? Matchers compare exactly: alerts with severity "critical" do not match this route',
      'routes/orders.yaml:9:16 warning: routes[1].matchers[0]: severity "Warning" is none of the severities of alertgate\'s rules (critical, warning, info; ALERTGATE_SEVERITIES); did you mean "warning"? Matchers compare exactly: alerts with severity "warning" do not match this route',
    ]);
  });
  it('warns of a short severity only when it differs by case (P4 is another severity, not a slip of P1)', async () => {
    const dir = await makeConfigDir({
      'routes/orders.yaml': `team: orders
slack:
  channel: "#orders"
routes:
  - matchers: ['severity="P4"']
    receivers: [slack]
  - matchers: ['severity=~"p1|P5"']
    receivers: [slack]
`,
    });
    const r = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders', ALERTGATE_SEVERITIES: 'P1,P2,P3' });
    expect(r.errors).toEqual([]);
    expect(r.warnings.map(formatSourceError)).toEqual([
      'routes/orders.yaml:7:16 warning: routes[1].matchers[0]: severity "p1" is none of the severities of alertgate\'s rules (P1, P2, P3; ALERTGATE_SEVERITIES); did you mean "P1"? Matchers compare exactly: alerts with severity "P1" do not match this route',
    ]);
  });
  it('says a PagerDuty key pasted under another field is a key to move to a Secret and rotate, without printing it', async () => {
    const key = 'e93facc04764012d7bfb002500d5d1a6';
    const dir = await makeConfigDir({
      'routes/orders.yaml': `team: orders\nslack:\n  channel: "#orders"\npagerduty:\n  routingKey: ${key}\nintegration_key: "${key}"\n`,
    });
    const r = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders' });
    const lines = r.errors.map(formatSourceError);
    const pasted = (path: string) =>
      `${path}: this value looks like a PagerDuty routing key itself (not shown here): put the key in a Kubernetes Secret and name it with pagerduty.routingKeyEnv or routingKeyFile, never the key in routes/; rotate it if this file was committed or shared`;
    expect(lines).toEqual([
      `routes/orders.yaml:5:15 ${pasted('pagerduty.routingKey')}`,
      'routes/orders.yaml:5:3 pagerduty.routingKey: unknown field "routingKey"; the fields here are routingKeyEnv, routingKeyFile',
      `routes/orders.yaml:6:18 ${pasted('integration_key')}`,
      'routes/orders.yaml:6:1 integration_key: unknown field "integration_key"; the fields here are team, owns, slack, pagerduty, dedup, routes, reports, storm, maintenance',
    ].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })));
    expect(lines.join('\n')).not.toContain(key);
  });
  it('takes a team or namespace name of 32 lower-case letters and digits as a name, not as a pasted PagerDuty key', async () => {
    const name = 'ledger2026reconciliationservices';
    expect(name).toHaveLength(32);
    const dir = await makeConfigDir({
      [`routes/${name}.yaml`]: `team: ${name}\nowns:\n  namespaces: [${name}]\nslack:\n  channel: "#ledger"\nroutes:\n  - receivers: [slack]\n`,
    });
    const r = await loadRoutingConfig(dir, { FALLBACK_TEAM: name });
    expect(r.errors.map(formatSourceError)).toEqual([]);
    expect(r.config?.teams.get(name)?.owns.namespaces).toEqual([name]);
  });
  it('never prints a PagerDuty key pasted where another kind of value or a choice goes: pagerduty:, receivers, period, namespaces', async () => {
    const key = 'e93facc04764012d7bfb002500d5d1a6';
    const dir = await makeConfigDir({
      'routes/orders.yaml': `team: orders
slack:
  channel: "#orders"
pagerduty: ${key}
owns:
  namespaces: ${key}
routes:
  - receivers: [${key}]
reports:
  - schedule: "0 9 1 * *"
    period: ${key}
`,
    });
    const r = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders' });
    const lines = [...r.errors, ...r.warnings].map(formatSourceError);
    const notShown = 'text that looks like a PagerDuty routing key (not shown here)';
    expect(lines).toEqual(
      expect.arrayContaining([
        `routes/orders.yaml:4:12 pagerduty: expected a map (name: value lines indented under it), found ${notShown}`,
        `routes/orders.yaml:6:15 owns.namespaces: expected a list, found ${notShown}`,
        `routes/orders.yaml:8:17 routes[0].receivers[0]: expected one of slack, pagerduty, found ${notShown}`,
        `routes/orders.yaml:11:13 reports[0].period: expected one of previous-day, previous-week, previous-month, month-to-date, quarter, previous-quarter, found ${notShown}`,
      ]),
    );
    expect(lines.join('\n')).not.toContain(key);
  });
  it('says a number out of range, a fraction where a whole number goes, and a value not among the choices in its own words, not zod\'s', async () => {
    expect(await routeErrors({
      'routes/orders.yaml': `team: orders
slack:
  channel: "#orders"
reports:
  - schedule: "0 9 1 * *"
    period: last-month
storm:
  maxMessagesPerMinute: 1.5
`,
      'routes/web.yaml': 'team: web\nslack:\n  channel: "#web"\nstorm:\n  maxMessagesPerMinute: 0\n',
    })).toEqual([
      'routes/orders.yaml:6:13 reports[0].period: expected one of previous-day, previous-week, previous-month, month-to-date, quarter, previous-quarter, found the text "last-month"',
      'routes/orders.yaml:8:25 storm.maxMessagesPerMinute: expected a whole number, found the number 1.5',
      'routes/web.yaml:5:25 storm.maxMessagesPerMinute: expected a number above 0, found the number 0',
    ]);
  });
  it('says a key pasted as routingKeyEnv is a key, once, not also that it is no variable name (a key starting with a digit)', async () => {
    expect(await routeErrors({
      'routes/orders.yaml': 'team: orders\nslack:\n  channel: "#orders"\npagerduty:\n  routingKeyEnv: 3e9facc04764012d7bfb002500d5d1a6\n',
    })).toEqual([
      'routes/orders.yaml:5:18 pagerduty.routingKeyEnv: takes the name of the environment variable that holds the key, but this value looks like a PagerDuty routing key itself (not shown here): put the key in a Kubernetes Secret, never in routes/, and rotate it if this file was committed or shared',
    ]);
  });
  it('quotes a duration that is none, as the other messages quote what they found: for: "5 minutes", window: "0s"', async () => {
    const errors = await ruleErrors(`${HEAD}alerts:
  - name: OrdersDown
    expr: up == 0
    for: 5 minutes
    severity: critical
    summary: down
    runbook: https://runbooks.example/down
`);
    const hint = 'Prometheus duration such as 30s, 5m, 1h30m, 30d (integers, units y w d h m s ms in that order)';
    expect(errors).toEqual([`rules/orders.yaml:6:10 alerts[0].for: for: "5 minutes" is not a ${hint}`]);
    const slo = SLO('99.9').replace('window: 30d', 'window: 0s');
    expect(await ruleErrors(slo)).toEqual([`rules/orders.yaml:6:13 slos[0].window: window: "0s" is not a non-zero ${hint}`]);
  });
  it('says a duration field holding a list, a map, a number or nothing wants a duration, not just "text"', async () => {
    const wanted = 'expected a duration such as 5m, found';
    expect(await ruleErrors(`${HEAD}alerts:
  - name: OrdersDown
    expr: up == 0
    for: [15m]
    keep_firing_for: {minutes: 5}
    severity: critical
    summary: down
    runbook: https://runbooks.example/down
`)).toEqual([`rules/orders.yaml:6:10 alerts[0].for: ${wanted} a list`, `rules/orders.yaml:7:22 alerts[0].keep_firing_for: ${wanted} a map`]);
    expect(await ruleErrors(SLO('99.9').replace('window: 30d', 'window: [30d]'))).toEqual([`rules/orders.yaml:6:13 slos[0].window: ${wanted} a list`]);
    expect(await ruleErrors(`${HEAD}uptime:\n  - service: orders\n    up: probe_success{job="blackbox"}\n    objective: 99.5\n    interval: [1m]\n`)).toEqual([
      `rules/orders.yaml:7:15 uptime[0].interval: ${wanted} a list`,
    ]);
    expect(await routeErrors({
      'routes/orders.yaml': `team: orders
slack:
  channel: "#orders"
dedup:
  window: [4h]
maintenance:
  - reason: patching
    schedule: "0 22 * * 2"
    duration: 2
  - reason: more patching
    schedule: "0 23 * * 2"
    duration:
`,
    })).toEqual([
      `routes/orders.yaml:5:11 dedup.window: ${wanted} a list`,
      `routes/orders.yaml:9:15 maintenance[0].duration: ${wanted} the number 2: give it a unit (2s, 2m, 2h…)`,
      `routes/orders.yaml:12:14 maintenance[1].duration: ${wanted} nothing (an empty value): write the duration after "duration:"`,
    ]);
  });
  it('says what is wrong with a value reached through an alias (labels: *common), at the alias, not that it is missing', async () => {
    const alert = (name: string, labels: string) => `  - name: ${name}\n    expr: up == 0\n    severity: critical\n    summary: s\n    runbook: https://x\n    labels: ${labels}\n`;
    expect(await ruleErrors(`${HEAD}alerts:\n${alert('A', '&l\n      service: orders\n      extra: [a]')}${alert('B', '*l')}`)).toEqual([
      'rules/orders.yaml:11:14 alerts[0].labels.extra: values in labels must be text (quote the value)',
      'rules/orders.yaml:17:13 alerts[1].labels.extra: values in labels must be text (quote the value)',
    ]);
  });
  it('says a field left empty needs its text, not to quote the nothing it holds', async () => {
    const errors = await ruleErrors(`${HEAD}alerts:
  - name: OrdersDown
    expr: up == 0
    severity: critical
    summary:
    runbook: https://runbooks.example/down
`);
    expect(errors).toEqual(['rules/orders.yaml:7:13 alerts[0].summary: expected text, found nothing (an empty value): write the text after "summary:"']);
  });
  it('says an unquoted "#channel" is a YAML comment, not that nothing was written', async () => {
    expect(await routeErrors({
      'routes/orders.yaml': 'team: orders\nslack:\n  channel: #orders-alerts\nreports:\n  - schedule: "0 9 1 * *"\n    period: previous-month\n    channel:   # leads\n',
    })).toEqual([
      'routes/orders.yaml:3:12 slack.channel: expected text, found nothing: YAML reads "#orders-alerts" as a comment (a # after a space starts one); quote it: channel: "#orders-alerts"',
      // A comment that reads as one (after "# ") is not taken for the value meant.
      'routes/orders.yaml:7:16 reports[0].channel: expected text, found nothing (an empty value): write the text after "channel:"',
    ]);
  });
  it('reports a namespace two teams claim in both files, each naming the other', async () => {
    expect(await routeErrors({
      'routes/orders.yaml': 'team: orders\nowns:\n  namespaces: [orders-prod, payments-prod]\nslack:\n  channel: "#orders"\n',
      'routes/payments.yaml': 'team: payments\nowns:\n  namespaces: [payments-prod]\nslack:\n  channel: "#payments"\n',
    })).toEqual([
      'routes/orders.yaml:3:29 owns.namespaces[1]: namespace "payments-prod" is also owned by team "payments" (routes/payments.yaml:3:16); a namespace has one owner',
      'routes/payments.yaml:3:16 owns.namespaces[0]: namespace "payments-prod" is already owned by team "orders" (routes/orders.yaml:3:29); a namespace has one owner',
    ]);
  });
  it('says a rules file that is a list or a lone value is not a map of fields', async () => {
    expect(await ruleErrors('- name: OrdersDown\n  expr: up == 0\n')).toEqual([
      'rules/orders.yaml:1:1 the file holds a list, but a team file is a map of fields, starting with team: <name>',
    ]);
    expect(await ruleErrors('orders\n')).toEqual(['rules/orders.yaml:1:1 the file holds a single string value, but a team file is a map of fields, starting with team: <name>']);
  });
  it('says what to write for one item where a list goes, a quoted number, and k=v where a map goes', async () => {
    expect(await routeErrors({
      'routes/orders.yaml': 'team: orders\nowns:\n  namespaces: orders-prod\nslack:\n  channel: "#orders"\nstorm:\n  maxMessagesPerMinute: "20"\n',
    })).toEqual([
      'routes/orders.yaml:3:15 owns.namespaces: expected a list, found the text "orders-prod": write [orders-prod] for a list of one, or one "- item" per line',
      'routes/orders.yaml:7:25 storm.maxMessagesPerMinute: expected a number, found the text "20": write it without quotes, 20',
    ]);
    expect(
      await ruleErrors(`${HEAD}alerts:
  - name: OrdersDown
    expr: up == 0
    severity: critical
    summary: down
    runbook: https://runbooks.example/down
    labels: service=orders
`),
    ).toEqual(['rules/orders.yaml:9:13 alerts[0].labels: expected a map (name: value lines indented under it), found the text "service=orders"']);
  });
  it('says which severity was written and the one meant (warn, Critical), as other choices do', async () => {
    const alert = (name: string, severity: string) =>
      `  - name: ${name}\n    expr: up == 0\n    severity: ${severity}\n    summary: down\n    runbook: https://runbooks.example/down\n`;
    expect(await ruleErrors(`${HEAD}alerts:\n${alert('A', 'warn')}${alert('B', 'Critical')}${alert('C', 'high')}`)).toEqual([
      'rules/orders.yaml:6:15 alerts[0].severity: expected one of critical, warning, info, found the text "warn"; did you mean "warning"?',
      'rules/orders.yaml:11:15 alerts[1].severity: expected one of critical, warning, info, found the text "Critical"; did you mean "critical"?',
      'rules/orders.yaml:16:15 alerts[2].severity: expected one of critical, warning, info, found the text "high"',
    ]);
  });
  it('says which panel type was written (Grafana\'s former graph and singlestat: the type that replaced them), and a missing type as missing', async () => {
    const panel = (type: string) => `      - title: Request rate${type}\n        expr: sum(rate(http_requests_total[5m]))\n`;
    const dir = await makeConfigDir({
      'routes/orders.yaml': routesFile('orders'),
      'dashboards/orders.yaml': `${HEAD}folder: Orders\ndashboards:\n  - title: Orders\n    panels:\n${panel('\n        type: graph')}${panel(' 2\n        type: singlestat')}${panel(' 3')}`,
    });
    const r = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    expect(r.errors.map(formatSourceError)).toEqual([
      'dashboards/orders.yaml:8:15 dashboards[0].panels[0].type: expected one of timeseries, stat, gauge, table, found the text "graph"; did you mean "timeseries"?',
      'dashboards/orders.yaml:11:15 dashboards[0].panels[1].type: expected one of timeseries, stat, gauge, table, found the text "singlestat"; did you mean "stat"?',
      'dashboards/orders.yaml:13:9 dashboards[0].panels[2].type: missing field "type", which is required here',
    ]);
  });
  it('words a team: naming another team than its file alike in routes/, rules/ and dashboards/, with the rename that fits', async () => {
    const dir = await makeConfigDir({
      'routes/platform.yaml': routesFile('platform'),
      'routes/prisons.yaml': routesFile('prison'),
      'rules/prisons.yaml': 'team: prison\nnamespace: prisons-prod\n',
      'dashboards/prisons.yml': 'team: prison\nnamespace: prisons-prod\ndashboards: []\n',
    });
    const said = (file: string) => `${file}:1:7 team: "prison" does not match the file name: ${file} must hold team "prisons" (or rename the file ${file.split('/')[1]!.replace('prisons', 'prison')})`;
    const routes = await loadRoutingConfig(dir, {});
    expect(routes.errors.map(formatSourceError)).toEqual([said('routes/prisons.yaml')]);
    const specs = await loadTeamSpecs(dir, { routeTeams: new Set(['platform', 'prisons', 'prison']) });
    expect(specs.errors.map(formatSourceError)).toEqual([said('dashboards/prisons.yml'), said('rules/prisons.yaml')]);
    // Without a routes/prison.yaml, the rename would lead to "has no routes/prison.yaml": not offered.
    const bare = (file: string) => said(file).replace(/ \(or rename the file [^)]*\)$/, '');
    const noPrison = await loadTeamSpecs(dir, { routeTeams: new Set(['platform', 'prisons']) });
    expect(noPrison.errors.map(formatSourceError)).toEqual([bare('dashboards/prisons.yml'), bare('rules/prisons.yaml')]);
  });
  it('says a file named otherwise than a team can be (Orders.yaml, order_service.yaml) is to be renamed, not to hold a team of that name', async () => {
    const dir = await makeConfigDir({
      'routes/platform.yaml': routesFile('platform'),
      'routes/Orders.yaml': routesFile('orders'),
      'routes/order_service.yaml': 'team: order_service\nslack:\n  channel: "#order-service"\n',
      'rules/Platform.yaml': `team: platform\nnamespace: platform-prod\n`,
    });
    const routes = await loadRoutingConfig(dir, {});
    expect(routes.errors.map(formatSourceError)).toEqual([
      'routes/order_service.yaml:1:7 team: "order_service" is not a team name: a team name is lower-case letters, digits and "-", starting with a letter (^[a-z][a-z0-9-]{1,62}$), such as "order-service"',
      'routes/Orders.yaml:1:7 team: the file name "Orders.yaml" is not a team name: a team\'s file is named after its team (lower-case letters, digits and "-"); rename it orders.yaml',
    ]);
    const rules = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    expect(rules.errors.map(formatSourceError)).toEqual([
      'rules/Platform.yaml:1:7 team: the file name "Platform.yaml" is not a team name: a team\'s file is named after its team (lower-case letters, digits and "-"); rename it platform.yaml',
    ]);
  });
  it('reports the other mistakes of a file with a mis-indented line too, read as if the line were indented as meant', async () => {
    const alerts = (forLine: string) => `${HEAD}alerts:
  - name: OrdersDown
    expr: sum(up{job="orders"}) == 0
${forLine}
    severity: critical
    summary: down
    runbook: https://runbooks.example/down
  - name: OrdersSlow
    expr: max(orders_latency_seconds) > 1
    sevrity: warning
    summary: slow
    runbook: https://runbooks.example/slow
`;
    const sevrity = 'rules/orders.yaml:12:5 alerts[1].sevrity: unknown field "sevrity"; did you mean "severity"?';
    expect(await ruleErrors(alerts('\tfor: 2 minutes'))).toEqual([
      'rules/orders.yaml:6:1 a tab is used as indentation: YAML indents with spaces only; replace the tab with spaces',
      // At the value as written: the line read on starts four columns further right.
      'rules/orders.yaml:6:7 alerts[0].for: for: "2 minutes" is not a Prometheus duration such as 30s, 5m, 1h30m, 30d (integers, units y w d h m s ms in that order)',
      sevrity,
    ]);
    expect(await ruleErrors(alerts('      for: 2m'))).toEqual([
      'rules/orders.yaml:6:7 bad indentation: this line starts at column 7, deeper than the key on line 5 (column 5), so YAML reads it as more of that key\'s value; start it at column 5 (a value of several lines holding ": " needs a block scalar, |)',
      sevrity,
    ]);
    expect(await ruleErrors(alerts('  for: 2m'))).toEqual([
      'rules/orders.yaml:6:3 bad indentation: "for" starts at column 3, but the key on line 5 starts at column 5: keys of one map start at the same column (indent with spaces)',
      sevrity,
    ]);
    expect(await routeErrors({ 'routes/orders.yaml': 'team: orders\nslack:\n\tchannel: "#orders"\nstorm:\n  maxMesagesPerMinute: 20\n' })).toEqual([
      'routes/orders.yaml:3:1 a tab is used as indentation: YAML indents with spaces only; replace the tab with spaces',
      'routes/orders.yaml:5:3 storm.maxMesagesPerMinute: unknown field "maxMesagesPerMinute"; did you mean "maxMessagesPerMinute"?',
    ]);
  });
  it('reports a YAML warning of a file with a mis-indented line once, not again from reading the file on', async () => {
    const dir = await makeConfigDir({ 'routes/orders.yaml': routesFile('orders'), 'rules/orders.yaml': ALERTS_TAGGED('\tfor: 2m') });
    const r = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    expect(r.errors.map(formatSourceError)).toEqual(['rules/orders.yaml:6:1 a tab is used as indentation: YAML indents with spaces only; replace the tab with spaces']);
    expect(r.warnings.map(formatSourceError)).toEqual(['rules/orders.yaml:10:13 warning: Unresolved tag: !foo']);
  });
  it('says a file of only comments holds only comments, not that it is empty', async () => {
    expect(await ruleErrors('# orders: rules to come\n\n# TODO\n')).toEqual([
      'rules/orders.yaml:1:1 the file holds only comments: expected a team rules document (team: …)',
    ]);
    expect(await ruleErrors('')).toEqual(['rules/orders.yaml:1:1 the file is empty: expected a team rules document (team: …)']);
    const dir = await makeConfigDir({ 'routes/platform.yaml': routesFile('platform'), 'routes/orders.yaml': '# routes of team orders\n' });
    const r = await loadRoutingConfig(dir, {});
    expect(r.errors.map(formatSourceError)).toEqual(['routes/orders.yaml:1:1 the file holds only comments: expected a team routing document (team: …)']);
  });
  it('says matchers written as a map (Alertmanager\'s match:, severity: critical) are strings, and what to write', async () => {
    expect(await routeErrors({
      'routes/orders.yaml': `team: orders
slack:
  channel: "#orders"
routes:
  - matchers:
      severity: critical
      service: orders
    receivers: [slack]
  - matchers:
      - severity: warning
    receivers: [slack]
  - match:
      severity: info
    receivers: [slack]
  - match_re:
      service: orders|basket
    receivers: [slack]
`,
    })).toEqual([
      'routes/orders.yaml:6:7 routes[0].matchers: expected a list, found a map: matchers are text in Alertmanager\'s matcher syntax; write matchers: [\'severity="critical"\', \'service="orders"\']',
      'routes/orders.yaml:10:9 routes[1].matchers[0]: expected text, found a map: matchers are text in Alertmanager\'s matcher syntax; write - \'severity="warning"\'',
      'routes/orders.yaml:12:5 routes[2].match: unknown field "match": Alertmanager\'s match: is written as matchers here, in its matcher syntax; write matchers: [\'severity="info"\']',
      'routes/orders.yaml:15:5 routes[3].match_re: unknown field "match_re": Alertmanager\'s match_re: is written as matchers here, in its matcher syntax; write matchers: [\'service=~"orders|basket"\']',
    ]);
  });
  it('says yes/no/on/off are text, not booleans, and to write true or false', async () => {
    expect(await routeErrors({
      'routes/orders.yaml': 'team: orders\nslack:\n  channel: "#orders"\nroutes:\n  - receivers: [slack]\n    continue: yes\n  - receivers: [slack]\n    continue: Off\n',
    })).toEqual([
      'routes/orders.yaml:6:15 routes[0].continue: expected true or false, found the text "yes": write true (YAML 1.2 reads yes, no, on and off as text)',
      'routes/orders.yaml:8:15 routes[1].continue: expected true or false, found the text "Off": write false (YAML 1.2 reads yes, no, on and off as text)',
    ]);
  });
  it('reports a quote never closed at the opening quote, in words, not yaml\'s "Missing closing \\"quote" where it gave up', async () => {
    const alert = (name: string, summary: string) => `  - name: ${name}\n    expr: up == 0\n    severity: critical\n    summary: ${summary}\n    runbook: https://runbooks.example/down\n`;
    const said = (at: string, q: string) =>
      `rules/orders.yaml:${at} a quoted value is not closed: this ${q} has no closing ${q} on its line, so YAML reads the lines below as more of the value; add the closing ${q}`;
    expect(await ruleErrors(`${HEAD}alerts:\n${alert('A', '"Orders down')}${alert('B', '"fine"')}`)).toEqual([said('7:14', '"')]);
    expect(await ruleErrors(`${HEAD}alerts:\n${alert('A', '"fine"')}${alert('B', "'it''s down")}`)).toEqual([said('12:14', "'")]);
    // At the end of the file too, where yaml placed it at the line after the last.
    expect(await ruleErrors(`${HEAD}namespace: "orders-prod\n`.replace('namespace: orders-prod\n', ''))).toEqual(['rules/orders.yaml:2:12 a quoted value is not closed: this " has no closing " on its line, so YAML reads the lines below as more of the value; add the closing "']);
  });
  it('says a quoted value closed on a later line runs on to a line indented too little or with a tab, at that line, not to add the closing quote', async () => {
    const alert = (summary: string) => `${HEAD}alerts:\n  - name: A\n    expr: up == 0\n    severity: critical\n    summary: ${summary}\n    runbook: https://runbooks.example/down\n    sevrity: critical\n`;
    const sevrity = 'rules/orders.yaml:10:5 alerts[0].sevrity: unknown field "sevrity"; did you mean "severity"?';
    const shallow = (q: string, line: number, col: number) =>
      `rules/orders.yaml:${line}:${col} a quoted value runs on to this line (its ${q} opens on line 7 and closes on line ${line}), which starts at column ${col}, not deeper than its key on line 7 (column 5): YAML ends the value's lines there; start this line after column 5 (indent with spaces), or keep the value on one line`;
    const tabbed = (q: string, line: number) =>
      `rules/orders.yaml:${line}:1 a quoted value runs on to this line (its ${q} opens on line 7 and closes on line ${line}), which a tab indents: YAML indents with spaces only; start this line after column 5 with spaces, or keep the value on one line`;
    expect(await ruleErrors(alert('"Orders\n  down"'))).toEqual([shallow('"', 8, 3), sevrity]);
    expect(await ruleErrors(alert("'Orders\n  down'"))).toEqual([shallow("'", 8, 3), sevrity]);
    expect(await ruleErrors(alert('"Orders\n\tdown"'))).toEqual([tabbed('"', 8), sevrity]);
    // A quote opening the next value does not close this one: that is a quote never closed.
    expect(await ruleErrors(alert('"Orders down').replace('runbook: https://runbooks.example/down', 'runbook: "https://runbooks.example/down"'))).toEqual([
      'rules/orders.yaml:7:14 a quoted value is not closed: this " has no closing " on its line, so YAML reads the lines below as more of the value; add the closing "',
    ]);
  });
  it('says the same when the line before the run-on line ends in an escaped quote (\\" or \'\'), where yaml took the value for closed and gave its own words', async () => {
    // yaml ends a quoted value cut short by an unindent at the line's last character: an escaped
    // quote there looked like the closing one, so no "Missing closing quote" came, only "Implicit
    // keys need to be on a single line" or a bad indentation of a key `down"` that is none.
    const alert = (summary: string) => `${HEAD}alerts:\n  - name: A\n    expr: up == 0\n    severity: critical\n    summary: ${summary}\n    runbook: https://runbooks.example/down\n    sevrity: critical\n`;
    const sevrity = (line: number) => `rules/orders.yaml:${line}:5 alerts[0].sevrity: unknown field "sevrity"; did you mean "severity"?`;
    const shallow = (q: string, line: number, col: number) =>
      `rules/orders.yaml:${line}:${col} a quoted value runs on to this line (its ${q} opens on line 7 and closes on line ${line}), which starts at column ${col}, not deeper than its key on line 7 (column 5): YAML ends the value's lines there; start this line after column 5 (indent with spaces), or keep the value on one line`;
    const tabbed = (q: string, line: number) =>
      `rules/orders.yaml:${line}:1 a quoted value runs on to this line (its ${q} opens on line 7 and closes on line ${line}), which a tab indents: YAML indents with spaces only; start this line after column 5 with spaces, or keep the value on one line`;
    expect(await ruleErrors(alert('"Orders \\"down\\"\n  again"'))).toEqual([shallow('"', 8, 3), sevrity(10)]);
    expect(await ruleErrors(alert('"Orders \\"down\\"\n    again"'))).toEqual([shallow('"', 8, 5), sevrity(10)]);
    expect(await ruleErrors(alert('"Orders \\"down\\"\nagain"'))).toEqual([shallow('"', 8, 1), sevrity(10)]);
    expect(await ruleErrors(alert("'Orders ''down''\n  again'"))).toEqual([shallow("'", 8, 3), sevrity(10)]);
    expect(await ruleErrors(alert('"Orders \\"down\\"\n\tagain"'))).toEqual([tabbed('"', 8), sevrity(10)]);
    // Over three lines, the middle one deep enough: the third is the one at fault.
    expect(await ruleErrors(alert('"Orders \\"down\\"\n        and \\"out\\"\n  again"'))).toEqual([
      shallow('"', 9, 3),
      sevrity(11),
    ]);
    // Never closed: the opening quote is the one at fault.
    expect(await ruleErrors(alert('"Orders \\"down\\"\n  again'))).toEqual([
      'rules/orders.yaml:7:14 a quoted value is not closed: this " has no closing " on its line, so YAML reads the lines below as more of the value; add the closing "',
    ]);
  });
  it('answers a PagerDuty key source under another field name once, at that field, not also that pagerduty lacks one', async () => {
    expect(await routeErrors({
      'routes/orders.yaml': 'team: orders\nslack:\n  channel: "#orders"\npagerduty:\n  routingKey: PAGERDUTY_ORDERS_KEY\n',
    })).toEqual([
      'routes/orders.yaml:5:3 pagerduty.routingKey: unknown field "routingKey"; the fields here are routingKeyEnv, routingKeyFile',
    ]);
  });
  it('says $datasource in a panel query is the data source picker, not a query variable', async () => {
    const dir = await makeConfigDir({
      'routes/orders.yaml': routesFile('orders'),
      'dashboards/orders.yaml': `${HEAD}folder: Orders
dashboards:
  - title: Orders
    panels:
      - title: Request rate
        type: timeseries
        unit: reqps
        expr: sum(rate(http_requests_total{job="orders"}[$datasource]))
`,
    });
    const r = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    expect(r.errors.map(formatSourceError)).toEqual([
      'dashboards/orders.yaml:10:58 dashboards[0].panels[0].expr: PromQL: "$datasource" is the dashboard\'s data source picker, which every panel already queries; it has no place inside a query',
    ]);
  });
});

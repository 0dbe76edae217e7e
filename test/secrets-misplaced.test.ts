/**
 * A secret put where its name or path belongs — a PagerDuty routing key pasted into routes/ as
 * `routingKeyEnv`/`routingKeyFile`, a token given to `SLACK_TOKEN_FILE` instead of `SLACK_TOKEN`
 * — as the processes a CI pipeline or Kubernetes runs meet it: what they print (stdout, stderr,
 * the gateway's log lines) says what is wrong and where, and never holds the secret.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli-process.js';
import { ADMIN_TOKEN, ESTATE_DIR, startFakes, startTestGateway } from './support/gateway.js';
import { makeConfigDir, removeTempDirs, routesFile } from './generate-helpers.js';

/** PagerDuty's documentation example of an integration key (32 hex digits). */
const ROUTING_KEY = 'e93facc04764012d7bfb002500d5d1a6';
const SLACK_TOKEN = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp';
/** A Slack incoming-webhook URL: whoever holds it can post to its channel. */
const WEBHOOK_URL = 'https://hooks.slack.com/services/T0123ABCD/B0123ABCD/AbCdEfGhIjKlMnOpQrStUvWx';

afterAll(removeTempDirs);

/** A config dir whose fallback team's routes file has `pagerduty: { <field>: <value> }`. */
function configWithKeyIn(field: 'routingKeyEnv' | 'routingKeyFile', value: string): Promise<string> {
  return makeConfigDir({ 'routes/platform.yaml': `${routesFile('platform')}pagerduty:\n  ${field}: ${value}\n` });
}

describe('a routing key pasted into routes/', () => {
  it('alertgate validate: an error at the field, exit 1, the key nowhere in its output', async () => {
    for (const field of ['routingKeyEnv', 'routingKeyFile'] as const) {
      const r = await runCli(['validate', '--config', await configWithKeyIn(field, ROUTING_KEY)]);
      expect(r.code, field).toBe(1);
      expect(r.stdout, field).toMatch(new RegExp(`^routes/platform\\.yaml:9:\\d+ pagerduty\\.${field}: .*looks like a PagerDuty routing key itself \\(not shown here\\)`, 'm'));
      expect(r.stdout + r.stderr, field).not.toContain(ROUTING_KEY);
    }
  });

  it('alertgate serve: refuses to start, naming the field, the key neither on stderr nor in its log lines', async () => {
    const r = await runCli(['serve', '--config', await configWithKeyIn('routingKeyEnv', ROUTING_KEY)], {
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: 'sqlite::memory:',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/routes\/platform\.yaml:9:18 pagerduty\.routingKeyEnv: .*looks like a PagerDuty routing key itself/);
    expect(r.stdout + r.stderr).not.toContain(ROUTING_KEY);
  });
});

describe('a routing key pasted into routes/ of a running gateway', () => {
  it('POST /-/reload refuses it naming the field; neither the answer nor the log lines hold the key', async () => {
    const configDir = await makeConfigDir({});
    await cp(ESTATE_DIR, configDir, { recursive: true });
    const fakes = await startFakes();
    const t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: configDir });
    try {
      const payments = join(configDir, 'routes', 'payments.yaml');
      await writeFile(payments, (await readFile(payments, 'utf8')).replace('routingKeyEnv: TEST_PD_PAYMENTS_KEY', `routingKeyEnv: ${ROUTING_KEY}`));
      const res = await fetch(`${t.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const answer = await res.text();
      expect(res.status).toBe(400);
      expect(answer).toMatch(/routes\/payments\.yaml:\d+:\d+ pagerduty\.routingKeyEnv: .*looks like a PagerDuty routing key itself/);
      expect(answer).not.toContain(ROUTING_KEY);
      await t.waitForLog((l) => l.msg === 'invalid configuration');
      expect(t.logs.filter((l) => l.includes(ROUTING_KEY))).toEqual([]);
    } finally {
      await t.close();
      await fakes.close();
    }
  });
});

describe('a secret pasted as a field name', () => {
  it('alertgate validate: an error at the field in routes/ and rules/, exit 1, neither secret anywhere in its output', async () => {
    const dir = await makeConfigDir({
      'routes/platform.yaml': `${routesFile('platform')}${SLACK_TOKEN}: x\n`,
      'rules/platform.yaml': `team: platform\nnamespace: platform-prod\n${ROUTING_KEY}: x\n`,
    });
    const r = await runCli(['validate', '--config', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^routes\/platform\.yaml:8:1 <not shown>: unknown field, named with text that looks like a Slack token \(not shown here\)/m);
    expect(r.stdout).toMatch(/^rules\/platform\.yaml:3:1 <not shown>: unknown field, named with text that looks like a PagerDuty routing key \(not shown here\)/m);
    expect(r.stdout + r.stderr).not.toContain(SLACK_TOKEN);
    expect(r.stdout + r.stderr).not.toContain(ROUTING_KEY);
  });
});

describe('a token given to a *_FILE variable', () => {
  /** Settings that harm nothing should the gateway start after all. */
  const serveEnv = { HOST: '127.0.0.1', PORT: '0', DATABASE_URL: 'sqlite::memory:', ALERTGATE_CONFIG_DIR: ESTATE_DIR, LOG_LEVEL: 'error' };

  it('alertgate serve: refused at start naming the variable and what it takes, exit 1, the token not printed', async () => {
    for (const name of ['SLACK_TOKEN', 'WEBHOOK_TOKEN', 'ADMIN_TOKEN']) {
      const r = await runCli(['serve'], { ...serveEnv, [`${name}_FILE`]: SLACK_TOKEN });
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toMatch(new RegExp(`^alertgate: ${name}_FILE: cannot read secret from the file it names \\(ENOENT\\); its value is not shown.*${name}_FILE takes the path of a file that holds the secret`));
      expect(r.stdout + r.stderr, name).not.toContain(SLACK_TOKEN);
    }
  });

  it('alertgate uptime: the same for THANOS_TOKEN_FILE', async () => {
    const r = await runCli(['uptime', '--team', 'payments', '--config', ESTATE_DIR], { THANOS_URL: 'http://127.0.0.1:9', THANOS_TOKEN_FILE: SLACK_TOKEN });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^uptime: THANOS_TOKEN_FILE: cannot read secret from the file it names \(ENOENT\)/);
    expect(r.stdout + r.stderr).not.toContain(SLACK_TOKEN);
  });
});

describe('a DATABASE_URL in the keyword/value form other PostgreSQL clients take', () => {
  const DSN_PASSWORD = 'Db-S3cret-pw-41';
  const dsn = `host=db.internal user=alertgate password=${DSN_PASSWORD} dbname=alertgate`;

  it('alertgate serve and alertgate uptime refuse it, naming it with its password masked', async () => {
    const serve = await runCli(['serve'], { HOST: '127.0.0.1', PORT: '0', ALERTGATE_CONFIG_DIR: ESTATE_DIR, DATABASE_URL: dsn });
    const uptime = await runCli(['uptime', '--team', 'payments', '--config', ESTATE_DIR], { THANOS_URL: 'http://127.0.0.1:9', DATABASE_URL: dsn });
    for (const [r, prefix] of [[serve, 'alertgate'], [uptime, 'uptime']] as const) {
      expect(r.code, prefix).toBe(1);
      expect(r.stderr, prefix).toContain(`${prefix}: unsupported DATABASE_URL "host=db.internal user=alertgate password=*** dbname=alertgate": expected`);
      expect(r.stdout + r.stderr, prefix).not.toContain(DSN_PASSWORD);
    }
  });
});

describe('a Slack token or webhook URL pasted into routes/', () => {
  it('alertgate validate: an error at each, a secret to rotate, exit 1, neither anywhere in its output', async () => {
    const dir = await makeConfigDir({
      'routes/platform.yaml': `team: platform\nslack:\n  channel: ${SLACK_TOKEN}\n${WEBHOOK_URL}: x\nroutes:\n  - receivers: [slack]\n    slack: { channel: "${WEBHOOK_URL}" }\n`,
    });
    const r = await runCli(['validate', '--config', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('routes/'))).toEqual([
      expect.stringMatching(/^routes\/platform\.yaml:3:12 slack\.channel: this value looks like a Slack token itself \(not shown here\): .*; rotate it if this file was committed or shared$/),
      expect.stringMatching(/^routes\/platform\.yaml:4:1 <not shown>: unknown field, named with text that looks like a Slack webhook URL \(not shown here\); .*rotate it/),
      expect.stringMatching(/^routes\/platform\.yaml:7:23 routes\[0\]\.slack\.channel: this value looks like a Slack webhook URL itself \(not shown here\): .*rotate it/),
    ]);
    expect(r.stdout + r.stderr).not.toContain(SLACK_TOKEN);
    expect(r.stdout + r.stderr).not.toContain('AbCdEfGhIjKlMnOpQrStUvWx');
  });
});

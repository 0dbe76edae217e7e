/**
 * A secret pasted as a field's NAME (`xoxb-…: x` in a routes file, a PagerDuty key as a label
 * name): the messages say where and what is wrong, in their usual form, and never print it. The
 * same rule as for a secret pasted as a value (team-file-messages: "never prints a PagerDuty key").
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadRoutingConfig } from './load-routes.js';
import { loadTeamSpecs } from './load-team-specs.js';
import { formatSourceError } from './source-error.js';
import { makeConfigDir, removeTempDirs, routesFile, routeTeamsOf } from '../../test/generate-helpers.js';

afterAll(removeTempDirs);

const SLACK_TOKEN = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp';
/** PagerDuty's documentation example of an integration key (32 hex digits). */
const ROUTING_KEY = 'e93facc04764012d7bfb002500d5d1a6';
const ROTATE = 'rotate it if this file was committed or shared';
/** A Slack incoming-webhook URL: whoever holds it can post to its channel. */
const WEBHOOK_URL = 'https://hooks.slack.com/services/T0123ABCD/B0123ABCD/AbCdEfGhIjKlMnOpQrStUvWx';
const WEBHOOK_ADVICE =
  'alertgate posts with its bot token (SLACK_TOKEN or SLACK_TOKEN_FILE) to slack.channel, not to an incoming webhook; never put the webhook URL in a config file';

async function routesErrors(text: string): Promise<string[]> {
  const dir = await makeConfigDir({ 'routes/orders.yaml': text });
  const r = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders' });
  return [...r.errors, ...r.warnings].map(formatSourceError);
}

async function ruleErrors(rules: string): Promise<string[]> {
  const dir = await makeConfigDir({ 'routes/orders.yaml': routesFile('orders'), 'rules/orders.yaml': rules });
  const r = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
  return [...r.errors, ...r.warnings].map(formatSourceError);
}

const ALERT = (labels: string) => `team: orders
namespace: orders-prod
alerts:
  - name: OrdersDown
    expr: up == 0
    severity: critical
    summary: down
    runbook: https://runbooks.example/down
    labels:
${labels}`;

describe('a secret pasted as a field name is never printed', () => {
  it('an unknown field named with a Slack token or a PagerDuty key: where, what, and to rotate it, without the secret', async () => {
    const lines = await routesErrors(`${routesFile('orders')}${SLACK_TOKEN}: x\npagerduty:\n  routingKeyEnv: PD_KEY\n  ${ROUTING_KEY}: x\n`);
    expect(lines).toEqual(
      expect.arrayContaining([
        `routes/orders.yaml:8:1 <not shown>: unknown field, named with text that looks like a Slack token (not shown here); the token goes in SLACK_TOKEN or SLACK_TOKEN_FILE (a Kubernetes Secret), never in a config file: ${ROTATE}`,
        `routes/orders.yaml:11:3 pagerduty.<not shown>: unknown field, named with text that looks like a PagerDuty routing key (not shown here); put the key in a Kubernetes Secret and name it with pagerduty.routingKeyEnv or routingKeyFile, never in a config file: ${ROTATE}`,
      ]),
    );
    expect(lines.join('\n')).not.toContain(SLACK_TOKEN);
    expect(lines.join('\n')).not.toContain(ROUTING_KEY);
  });

  it('a field name holding a secret among other text (a pasted SLACK_TOKEN=… line, a key in a list key) is not printed either', async () => {
    const lines = await routesErrors(`${routesFile('orders')}SLACK_TOKEN=${SLACK_TOKEN}: x\n? [${ROUTING_KEY}]\n: x\n`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^routes\/orders\.yaml:8:1 <not shown>: unknown field, named with text that looks like a Slack token \(not shown here\)/),
        expect.stringMatching(/^routes\/orders\.yaml:9:3 <not shown>: unknown field, named with text that looks like a PagerDuty routing key \(not shown here\)/),
      ]),
    );
    expect(lines.join('\n')).not.toContain(SLACK_TOKEN);
    expect(lines.join('\n')).not.toContain(ROUTING_KEY);
  });

  it('a label named with a secret: not a label name, its value not text, given twice: the path and messages hide it', async () => {
    expect(await ruleErrors(ALERT(`      ${SLACK_TOKEN}: x\n`))).toEqual([
      'rules/orders.yaml:10:52 alerts[0].labels.<not shown>: a name that looks like a Slack token (not shown here) is not a valid name for labels (^[A-Za-z_][A-Za-z0-9_]*$)',
    ]);
    expect(await ruleErrors(ALERT(`      ${ROUTING_KEY}: [x]\n`))).toEqual([
      'rules/orders.yaml:10:41 alerts[0].labels.<not shown>: values in labels must be text (quote the value)',
    ]);
    expect(await ruleErrors(ALERT(`      ${ROUTING_KEY}: x\n      ${ROUTING_KEY}: y\n`))).toEqual([
      'rules/orders.yaml:11:7 alerts[0].labels: a key that looks like a PagerDuty routing key (not shown here) is given twice (first at line 10, column 7); a YAML map takes each key once',
    ]);
  });

  it('a Slack webhook URL as a field name, alone or in other text: where, what, and to rotate it, without the URL', async () => {
    const lines = await routesErrors(`${routesFile('orders')}${WEBHOOK_URL}: x\nslack_url=${WEBHOOK_URL.slice('https://'.length)}: y\n`);
    expect(lines).toEqual([
      `routes/orders.yaml:8:1 <not shown>: unknown field, named with text that looks like a Slack webhook URL (not shown here); ${WEBHOOK_ADVICE}: ${ROTATE}`,
      `routes/orders.yaml:9:1 <not shown>: unknown field, named with text that looks like a Slack webhook URL (not shown here); ${WEBHOOK_ADVICE}: ${ROTATE}`,
    ]);
    expect(lines.join('\n')).not.toContain('AbCdEfGhIjKlMnOpQrStUvWx');
  });

  it('a Slack token or webhook URL pasted as a value: one error at it, a secret to rotate, as for a PagerDuty key', async () => {
    const pasted = (path: string, shape: string, advice: string) => `${path}: this value looks like ${shape} itself (not shown here): ${advice}; ${ROTATE}`;
    const tokenAdvice = 'the token goes in SLACK_TOKEN or SLACK_TOKEN_FILE (a Kubernetes Secret), never in a config file';
    const team = (slack: string, more = '') => `team: orders\nslack:\n  channel: ${slack}\nroutes:\n  - receivers: [slack]\n${more}`;
    const cases = [
      { text: team(SLACK_TOKEN), says: [`routes/orders.yaml:3:12 ${pasted('slack.channel', 'a Slack token', tokenAdvice)}`] },
      { text: team(WEBHOOK_URL), says: [`routes/orders.yaml:3:12 ${pasted('slack.channel', 'a Slack webhook URL', WEBHOOK_ADVICE)}`] },
      {
        text: team('"#orders"', `    slack: { channel: "${WEBHOOK_URL}" }\n`),
        says: [`routes/orders.yaml:6:23 ${pasted('routes[0].slack.channel', 'a Slack webhook URL', WEBHOOK_ADVICE)}`],
      },
      {
        text: team('"#orders"', `reports:\n  - schedule: "0 9 * * 1"\n    period: previous-week\n    channel: ${SLACK_TOKEN}\n`),
        says: [`routes/orders.yaml:9:14 ${pasted('reports[0].channel', 'a Slack token', tokenAdvice)}`],
      },
      {
        text: team('"#orders"', `pagerduty:\n  routingKeyEnv: ${SLACK_TOKEN}\n`),
        says: [`routes/orders.yaml:7:18 ${pasted('pagerduty.routingKeyEnv', 'a Slack token', tokenAdvice)}`],
      },
      {
        // The field is unknown as well: said too, as for a PagerDuty key under a field of its own name.
        text: team('"#orders"', `webhook: ${WEBHOOK_URL}\n`),
        says: [
          `routes/orders.yaml:6:1 webhook: unknown field "webhook"; the fields here are team, owns, slack, pagerduty, dedup, routes, reports, storm, maintenance`,
          `routes/orders.yaml:6:10 ${pasted('webhook', 'a Slack webhook URL', WEBHOOK_ADVICE)}`,
        ],
      },
    ];
    for (const { text, says } of cases) {
      const lines = await routesErrors(text);
      expect(lines, text).toEqual(says);
      expect(lines.join('\n')).not.toContain(SLACK_TOKEN);
      expect(lines.join('\n')).not.toContain('AbCdEfGhIjKlMnOpQrStUvWx');
    }
  });

  it('a Slack token pasted as a value where another kind goes is described, not shown, and said to be rotated, as a routing key is', async () => {
    const lines = await routesErrors(`${routesFile('orders')}dedup: ${SLACK_TOKEN}\n`);
    expect(lines).toEqual([
      'routes/orders.yaml:8:8 dedup: expected a map (name: value lines indented under it), found text that looks like a Slack token (not shown here)',
      `routes/orders.yaml:8:8 dedup: this value looks like a Slack token itself (not shown here): the token goes in SLACK_TOKEN or SLACK_TOKEN_FILE (a Kubernetes Secret), never in a config file; ${ROTATE}`,
    ]);
  });
});

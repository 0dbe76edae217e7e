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

  it('a Slack token pasted as a value where another kind goes is described, not shown, as a routing key is', async () => {
    const lines = await routesErrors(`${routesFile('orders')}dedup: ${SLACK_TOKEN}\n`);
    expect(lines).toEqual(['routes/orders.yaml:8:8 dedup: expected a map (name: value lines indented under it), found text that looks like a Slack token (not shown here)']);
  });
});

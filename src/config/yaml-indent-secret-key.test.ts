/**
 * A mis-indented line whose key is a pasted secret (a PagerDuty routing key, a Slack token): the
 * "bad indentation" message quotes a line's key to say which line is off, and must not quote
 * that one (README, in the routes/<team>.yaml section: such a name "is never printed"), as the unknown-field messages don't.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadRoutingConfig } from './load-routes.js';
import { formatSourceError } from './source-error.js';
import { makeConfigDir, removeTempDirs, routesFile } from '../../test/generate-helpers.js';

afterAll(removeTempDirs);

const SLACK_TOKEN = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp';
/** PagerDuty's documentation example of an integration key (32 hex digits). */
const ROUTING_KEY = 'e93facc04764012d7bfb002500d5d1a6';

async function routesErrors(text: string): Promise<string[]> {
  const dir = await makeConfigDir({ 'routes/orders.yaml': text });
  const r = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders' });
  return [...r.errors, ...r.warnings].map(formatSourceError);
}

describe('a mis-indented line keyed with a secret', () => {
  it('says which line is off and that its key looks like a routing key, without printing the key', async () => {
    const lines = await routesErrors(`${routesFile('orders')}pagerduty:\n   routingKeyEnv: PD_KEY\n  ${ROUTING_KEY}: x\n`);
    expect(lines).toContain(
      'routes/orders.yaml:10:3 bad indentation: a key that looks like a PagerDuty routing key (not shown here) starts at column 3, but the key on line 9 starts at column 4: keys of one map start at the same column (indent with spaces)',
    );
    expect(lines.join('\n')).not.toContain(ROUTING_KEY);
  });

  it('hides a Slack token among other text in the key (a pasted SLACK_TOKEN=… line) too', async () => {
    const lines = await routesErrors(`${routesFile('orders')}pagerduty:\n   routingKeyEnv: PD_KEY\n  SLACK_TOKEN=${SLACK_TOKEN}: x\n`);
    expect(lines).toContain(
      'routes/orders.yaml:10:3 bad indentation: a key that looks like a Slack token (not shown here) starts at column 3, but the key on line 9 starts at column 4: keys of one map start at the same column (indent with spaces)',
    );
    expect(lines.join('\n')).not.toContain(SLACK_TOKEN);
  });

  it('still quotes an ordinary key', async () => {
    const lines = await routesErrors(`${routesFile('orders')}pagerduty:\n   routingKeyEnv: PD_KEY\n  routingKeyFile: /x\n`);
    expect(lines).toContain(
      'routes/orders.yaml:10:3 bad indentation: "routingKeyFile" starts at column 3, but the key on line 9 starts at column 4: keys of one map start at the same column (indent with spaces)',
    );
  });
});

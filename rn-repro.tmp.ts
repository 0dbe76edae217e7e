import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRoutingConfig } from './src/config/load-routes.js';
import { formatSourceError } from './src/config/source-error.js';
const cases: Record<string, string> = {
  slackTypo: "team: platform\nslack: { chanel: '#team' }\nroutes:\n  - receivers: [slack]\n",
  routeSlackTypo: "team: platform\npagerduty: { routingKeyEnv: K }\nroutes:\n  - receivers: [slack]\n    slack: { chanel: '#team' }\n",
  pdTypo: "team: platform\nslack: { channel: '#t' }\npagerduty: { routingKeyENV: K }\nroutes:\n  - receivers: [pagerduty]\n",
  pdTypo2: "team: platform\nslack: { channel: '#t' }\npagerduty: { routingkeyfile: /x }\nroutes:\n  - receivers: [pagerduty]\n",
  hookName: "team: platform\nslack: { channel: '#t' }\nhttps://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx: 1\n",
  hookValue: "team: platform\nslack: { channel: 'https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx' }\n",
  hookValue2: "team: platform\nslack: { channel: '#t' }\nwebhook: https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx\n",
  tokenValue: "team: platform\nslack: { channel: xoxb-1234567890-abcdefghijkl }\n",
  tokenValue2: "team: platform\nslack: { channel: '#t' }\nslackToken: xoxb-1234567890-abcdefghijkl\n",
  pdValue: "team: platform\nslack: { channel: e93facc04764012d7bfb002500d5d1a6 }\n",
};
for (const [name, text] of Object.entries(cases)) {
  const dir = await mkdtemp(join(tmpdir(), 'rn-'));
  await mkdir(join(dir, 'routes'));
  await writeFile(join(dir, 'routes', 'platform.yaml'), text);
  const r = await loadRoutingConfig(dir, { K: 'x' });
  console.log('==', name);
  for (const e of [...r.errors, ...r.warnings]) console.log('  ', formatSourceError(e));
}

/**
 * The README and package.json `engines` support Node 20.10 and later. Node 20.10 and 20.11 have
 * no one-shot `crypto.hash` (20.12 added it): when group ids, content hashes and token digests
 * imported it, `alertgate serve` on Node 20.10 stopped at start ("The requested module
 * 'node:crypto' does not provide an export named 'hash'"). Here the gateway process runs with
 * `crypto.hash` taken away before anything loads, as on those versions, and takes the quick
 * start's webhook and delivers it.
 */
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { teamGroupId } from '../src/model/group-id.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';

const FIXTURE = new URL('./fixtures/alertmanager-v0.34-firing.json', import.meta.url);
const TOKEN = 'node-minimum-webhook-token';

let dir: string;
let gw: GatewayProcess | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertgate-node-minimum-'));
});
afterEach(async () => {
  await gw?.kill('SIGKILL');
  gw = undefined;
  await rm(dir, { recursive: true, force: true });
});

it('serves without crypto.hash (Node 20.10 and 20.11): the quick start webhook is accepted and delivered', async () => {
  const preload = join(dir, 'no-crypto-hash.cjs');
  await writeFile(preload, "delete require('node:crypto').hash;\n");
  gw = await spawnGateway({
    NODE_OPTIONS: `--require ${preload}`,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: 'sqlite::memory:',
    WEBHOOK_TOKEN: TOKEN,
  });
  const res = await fetch(`${gw.url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: await readFile(FIXTURE, 'utf8'),
  });
  expect([res.status, await res.json()]).toEqual([202, { accepted: 1 }]);
  // The log sink (no SLACK_TOKEN): delivered means the group id and dedup hashes were made.
  await gw.waitForLog((l) => l.msg === 'notification sent' && l.receiver === 'slack');
  // The same group id as with crypto.hash (here, in the test's own process): replicas on either
  // Node version share one store.
  const fixture = JSON.parse(await readFile(FIXTURE, 'utf8')) as { groupKey: string };
  const listed = (await (await fetch(`${gw.url}/v1/notifications`)).json()) as { items: { groupId: string }[] };
  expect(listed.items[0]?.groupId).toBe(teamGroupId('payments', fixture.groupKey));
  expect((await fetch(`${gw.url}/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' }, body: '{}' })).status).toBe(401);
});

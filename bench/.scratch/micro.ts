import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeEstate } from '../support/estate.js';
import { webhookBody } from '../support/alerts.js';
import { loadRoutingConfig } from '../../src/config/load-routes.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { webhookSchema } from '../../src/ingest/webhook-schema.js';
import { normalizeWebhook } from '../../src/ingest/normalize.js';
import { acceptNotification } from '../../src/pipeline/accept.js';

const batch = Number(process.argv[2] ?? 10);
const N = Number(process.argv[3] ?? 2000);
const dir = await mkdtemp(path.join(tmpdir(), 'ag-micro-'));
await writeEstate(dir, { stormLimit: process.env.STORM === 'default' ? undefined : 1_000_000 });
const { config } = await loadRoutingConfig(dir, {});
const store = openSqliteStore(path.join(dir, 'db.sqlite'));
if (process.env.CKPT) (store as any).db.pragma('wal_autocheckpoint=' + process.env.CKPT);
if (process.env.SYNC) (store as any).db.pragma('synchronous=' + process.env.SYNC);
const bodies = Array.from({ length: N }, (_, i) => webhookBody('m', i, batch));
const phase = (name: string, fn: () => void | Promise<void>) => async () => {
  const c = process.cpuUsage(); const t = performance.now();
  await fn();
  const u = process.cpuUsage(c);
  console.log(name.padEnd(10), 'cpu µs/webhook', ((u.user + u.system) / N).toFixed(0), 'wall µs/webhook', ((performance.now() - t) * 1000 / N).toFixed(0));
};
let parsed: any[] = [];
let norm: any[] = [];
await phase('json', () => { parsed = bodies.map((b) => JSON.parse(b)); })();
await phase('zod', () => { parsed = parsed.map((p) => webhookSchema.parse(p)); })();
await phase('normalize', () => { norm = parsed.map((p) => normalizeWebhook(p)); })();
await phase('accept', async () => {
  for (let i = 0; i < N; i += 100) { if (i % 1000 === 0) console.log(i, process.cpuUsage().user / 1000); await Promise.all(norm.slice(i, i + 100).map((n) => acceptNotification(store, config!, n, { stormWindowMs: 60000 }))); }
})();
await store.close();

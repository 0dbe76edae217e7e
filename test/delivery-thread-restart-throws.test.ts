/**
 * A delivery thread's restart that cannot start the thread at all (its link to the database
 * refused: here the link given to the host throws on its second call) was an exception thrown
 * from a timer, which ends the process. Now it is logged as an exit of the streak and tried again
 * at the longest wait, when the thread starts. A real SQLite file store and real thread; the
 * host is built as server.ts builds it, with that link.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readSettings } from '../src/config/env.js';
import { createLogger } from '../src/log/logger.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { DeliveryThread, type DeliveryThreadOptions } from '../src/outbox/delivery-thread-host.js';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { waitUntil } from './support/gateway.js';

let host: DeliveryThread | undefined;
let store: SqliteStore | undefined;
afterEach(async () => {
  await host?.stop(1_000);
  await store?.close();
});

const NO_ROUTING_KEYS = { pagerduty: [], retired: [], env: {}, pagesLive: false };

/**
 * Starts a host on a real SQLite file store with the given link and routing keys, crashes its
 * first thread, and waits until a restart has succeeded (the one after it failed).
 */
async function crashAndRestart(o: Pick<DeliveryThreadOptions, 'link' | 'routingKeys'>, write: (line: string) => void = () => {}): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'alertgate-thread-'));
  store = openSqliteStore(join(dir, 'alertgate.db'));
  const settings = readSettings({ DATABASE_URL: `sqlite:${join(dir, 'alertgate.db')}`, OUTBOX_THREAD: 'true' }, dir);
  const metrics = createMetrics({ defaultMetrics: false });
  host = new DeliveryThread({
    ...o,
    data: { settings, logLevel: 'debug', owner: 'test' },
    logger: createLogger({ level: 'debug', write }),
    metrics,
    restart: { firstMs: 20, maxMs: 300, stableMs: 600_000 },
  });
  host.start();
  await host.crash();
  const restarts = async () => (await metrics.registry.getSingleMetric('alertgate_delivery_thread_restarts_total')!.get()).values[0]?.value ?? 0;
  await waitUntil(async () => (await restarts()) === 1, 10_000, 'the thread started again after the failed restart');
}

it('logs a restart that throws as an exit, retries it at the longest wait, and the process lives on', async () => {
  const lines: Record<string, unknown>[] = [];
  let links = 0;
  await crashAndRestart(
    {
      link: () => {
        if (++links === 2) throw new Error('cannot open a port to the writer thread');
        return store!.deliveryLink();
      },
      routingKeys: () => NO_ROUTING_KEYS,
    },
    (l) => lines.push(JSON.parse(l) as Record<string, unknown>),
  );
  const exits = lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('delivery thread exited'));
  expect(exits.map((l) => [(l.err as { message: string }).message, l.restartInMs])).toEqual([
    ['the delivery thread exited without an uncaught error', 20],
    ['cannot open a port to the writer thread', 300],
  ]);
  expect(links).toBe(3);
});

it('closes the writer port it was linked with when the thread then fails to start', async () => {
  const portsClosed: boolean[] = [];
  let lookups = 0;
  await crashAndRestart({
    link: () => {
      const link = store!.deliveryLink();
      const i = portsClosed.push(false) - 1;
      link.writerPort.on('close', () => (portsClosed[i] = true));
      return link;
    },
    // Read after the link is made and before the thread starts: the second start fails there.
    routingKeys: () => {
      if (++lookups === 2) throw new Error('routing keys unreadable');
      return NO_ROUTING_KEYS;
    },
  });
  // A port handed to a thread closes here as it is transferred; the failed start's, never
  // handed over, must be closed by the host.
  await waitUntil(() => portsClosed[1] === true, 5_000, "the failed start's writer port was closed");
  expect(portsClosed).toHaveLength(3);
});

/**
 * @module bench/memory
 * Resident memory of the gateway process with 10,000 open alert groups and 100,000 rows of
 * delivery history (written through the real pipeline, then marked sent), while it works: after
 * start, and after a round of traffic that touches the open groups (webhooks changing 2,000 of
 * them, their deliveries, paging through /v1/alerts and /v1/notifications, /metrics). Reports the
 * highest RSS seen (VmHWM), which is what a container memory limit meets. Then the same on a
 * copy of the database with the opt-in delivery thread (OUTBOX_THREAD=true), which costs memory.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BENCH_WEBHOOK_TOKEN, benchEnv, writeEstate } from './support/estate.js';
import { gatewayMallocArenas, imageNodeOptions, outboxDrained, startBenchGateway } from './support/gateway-process.js';
import { prefill } from './support/prefill.js';
import { runLoad } from './support/run-load.js';
import { startSlackSink } from './support/slack-sink.js';
import { round } from './support/stats.js';
import type { Benchmark, BenchFigure } from './types.js';

const GROUPS = 10_000;
const WEBHOOKS_PER_GROUP = 10;
const TARGET_MB = 200;
const MB_PER_MIB = 1.048576;

const load = () => `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`;

/** Follow `nextCursor` through a list endpoint, `pages` pages of 1,000. */
async function page(url: string, pages: number): Promise<number> {
  let cursor: string | null = null;
  let items = 0;
  for (let i = 0; i < pages; i++) {
    const res = await fetch(`${url}${url.includes('?') ? '&' : '?'}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    const body = (await res.json()) as { items: unknown[]; nextCursor: string | null };
    items += body.items.length;
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return items;
}

/** Start a gateway on `dbFile`, put traffic and list paging through it, report its RSS. */
async function measure(dir: string, dbFile: string, env: Record<string, string>, variant: string, data: string): Promise<BenchFigure[]> {
  process.stderr.write(`bench memory: gateway${variant} (${load()})\n`);
  const sink = await startSlackSink();
  const gw = await startBenchGateway({
    env: { ...benchEnv({ dbFile, configDir: dir, slackUrl: sink.url }), ...env },
    logFile: path.join(dir, `gateway${variant ? '-variant' : ''}.log`),
  }).catch(async (err: unknown) => {
    await sink.close();
    throw err;
  });
  try {
    const atStart = gw.memory();
    // Traffic over the open groups: 2,000 of them change (an 11th alert), and are delivered.
    await runLoad({
      url: `${gw.url}/webhooks/alertmanager`,
      headers: { authorization: `Bearer ${BENCH_WEBHOOK_TOKEN}` },
      format: 'webhook',
      batch: WEBHOOKS_PER_GROUP + 1,
      run: 'mem',
      noRepeats: true,
      rate: 200,
      warmupMs: 0,
      durationMs: 10_000,
      expectStatus: 202,
    });
    await outboxDrained(gw);
    const afterWebhooks = gw.memory();
    const listed =
      (await page(`${gw.url}/v1/alerts`, 20)) + (await page(`${gw.url}/v1/notifications`, 20)) + (await page(`${gw.url}/v1/alerts?team=payments`, 5));
    await fetch(`${gw.url}/metrics`);
    const afterLists = gw.memory();
    const options = process.env.BENCH_GATEWAY_NODE_OPTIONS ?? imageNodeOptions();
    const heap = options ? `NODE_OPTIONS=${options}${process.env.BENCH_GATEWAY_NODE_OPTIONS === undefined ? ' (as the container image sets it)' : ''}` : 'default V8 heap settings';
    const arenas = env.MALLOC_ARENA_MAX ?? gatewayMallocArenas();
    const malloc = arenas ? `, MALLOC_ARENA_MAX=${arenas}` : '';
    const figure = (name: string, mib: number, notes: string): BenchFigure => ({
      name: `memory${variant}: ${name}`,
      value: round(mib * MB_PER_MIB),
      unit: 'MB',
      target: `≤ ${TARGET_MB} MB`,
      met: mib * MB_PER_MIB <= TARGET_MB,
      notes,
    });
    return [
      figure('RSS after start', atStart.rssMiB, `${data}; ${heap}${malloc}`),
      figure('peak RSS under webhook traffic', afterWebhooks.peakRssMiB, `2,000 open groups changed (an 11th alert) at 200 webhooks/s and delivered; RSS after ${round(afterWebhooks.rssMiB * MB_PER_MIB)} MB; ${load()}`),
      figure('peak RSS after paging the list endpoints', afterLists.peakRssMiB, `${listed} items of /v1/alerts and /v1/notifications in pages of 1,000 (the maximum); RSS after ${round(afterLists.rssMiB * MB_PER_MIB)} MB`),
    ];
  } finally {
    await gw.stop('SIGKILL');
    await sink.close();
  }
}

export const memoryBenchmark: Benchmark = {
  id: 'memory',
  title: 'memory: RSS with 10,000 open groups and 100,000 rows of history',
  async run(): Promise<BenchFigure[]> {
    const dir = await mkdtemp(path.join(tmpdir(), 'alertgate-bench-memory-'));
    const dbFile = path.join(dir, 'alertgate.db');
    try {
      await writeEstate(dir, { stormLimit: 1_000_000 });
      process.stderr.write(`bench memory: writing ${GROUPS} groups × ${WEBHOOKS_PER_GROUP} webhooks (${load()})\n`);
      await prefill({ dbFile, configDir: dir, run: 'mem', groups: GROUPS, webhooksPerGroup: WEBHOOKS_PER_GROUP, markSent: true });
      const db = new Database(dbFile, { readonly: true });
      const counts = db
        .prepare<[], { groups: number; history: number; alerts: number }>(
          `SELECT (SELECT count(*) FROM groups WHERE status = 'firing' AND group_key LIKE '{}:{bench_group=%') AS groups,
                  (SELECT count(*) FROM notifications) AS history, (SELECT count(*) FROM alerts) AS alerts`,
        )
        .get()!;
      db.close();

      // The opt-in delivery thread is measured on a copy of the same prefilled database.
      const threadedDb = path.join(dir, 'threaded.db');
      await copyFile(dbFile, threadedDb);
      if (existsSync(`${dbFile}-wal`)) await copyFile(`${dbFile}-wal`, `${threadedDb}-wal`);
      const data = `${counts.groups} open groups, ${counts.alerts} alerts, ${counts.history} history rows`;
      return [
        ...(await measure(dir, dbFile, {}, '', data)),
        ...(await measure(dir, threadedDb, { OUTBOX_THREAD: 'true' }, ', OUTBOX_THREAD=true (opt-in)', data)),
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

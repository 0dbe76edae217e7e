/**
 * @module bench/storm
 * Ingest during an alert storm: the case the other ingest figures leave out (they run with
 * storms off). The compiled gateway runs with the default storm limit (20 new group messages per
 * channel and minute) and takes new 10-alert groups in a closed loop of 32 in flight, so each of
 * the four teams' channels is in a storm from its 21st group on and every further group is
 * gathered into its digest. The rate is measured slice by slice while the digests grow: what a
 * webhook costs must not grow with the storm (it did: each webhook re-read and re-wrote the whole
 * digest, docs/performance.md, "eleventh session"). A second gateway with storms off takes the
 * same load, for scale: it also delivers every group's message, which a storm gathers instead.
 * A third has storms off and a maintenance window covering every alert, so every new group is
 * held: the other state a flood used to make grow (the team's list of held groups). Then the
 * window is ended (config reload) and the time the release pass takes to queue every held group
 * is measured.
 */
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { BENCH_TEAMS } from './support/alerts.js';
import { BENCH_WEBHOOK_TOKEN, benchEnv, writeEstate } from './support/estate.js';
import { metricsText, startBenchGateway, type BenchGateway } from './support/gateway-process.js';
import { runLoad } from './support/run-load.js';
import { startSlackSink } from './support/slack-sink.js';
import { round } from './support/stats.js';
import type { Benchmark, BenchFigure } from './types.js';

const BATCH = 10;
const IN_FLIGHT = 32;
const SLICE_MS = Number(process.env.BENCH_STORM_SLICE_MS ?? 5_000);
const SLICES = Number(process.env.BENCH_STORM_SLICES ?? 8);

const load = () => `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`;

interface Slice {
  webhooksPerS: number;
  cpuMsPerWebhook: number;
  /** Groups gathered into digests so far, all channels. */
  gathered: number;
  /** Requests answered so far, this gateway. */
  requestsSoFar: number;
}

/** The sum over teams of a counter in a scrape of the gateway's /metrics. */
function counterSum(text: string, name: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

/** Groups gathered into storm digests so far (alertgate_storm_groups_digested_total, every team). */
async function gathered(gw: BenchGateway): Promise<number> {
  return counterSum(await metricsText(gw), 'alertgate_storm_groups_digested_total');
}

/** A maintenance window open for the next hour, holding every alert the bench sends. */
async function holdEverything(configDir: string): Promise<void> {
  const start = new Date(Date.now() - 60_000).toISOString();
  const end = new Date(Date.now() + 3_600_000).toISOString();
  const window = `maintenance:\n  - reason: "bench"\n    start: "${start}"\n    end: "${end}"\n    matchers: ['job="kube-state-metrics"']\n`;
  for (const team of BENCH_TEAMS) await appendFile(path.join(configDir, 'routes', `${team}.yaml`), window);
}

const ADMIN_TOKEN = 'bench-admin-token';
/** The release pass runs this often in the held gateway (15 s by default), so a window's end is acted on at once. */
const MAINTENANCE_TICK_MS = 500;

/** The event loop's longest delay since the scrape before (prom-client resets it at each scrape), ms. */
function eventLoopMaxMs(text: string): number {
  return Number(/^alertgate_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1] ?? 0) * 1000;
}

interface Release {
  /** From the reload that ends the window to the last held group queued, seconds. */
  seconds: number;
  notifications: number;
  cpuMsPerNotification: number;
  /** The event loop's longest delay meanwhile: how long a webhook arriving then could wait. */
  eventLoopMaxMs: number;
}

/** End the window (a config without it, reloaded) and wait until every held notification is queued. */
async function endWindow(gw: BenchGateway, configDir: string): Promise<Release> {
  const held = counterSum(await metricsText(gw), 'alertgate_maintenance_held_notifications_total');
  for (const team of BENCH_TEAMS) {
    const file = path.join(configDir, 'routes', `${team}.yaml`);
    await writeFile(file, (await readFile(file, 'utf8')).replace(/maintenance:\n[\s\S]*$/, ''));
  }
  await metricsText(gw); // resets the event loop's delay statistics
  const cpu0 = gw.cpuSeconds();
  const started = performance.now();
  const reload = await fetch(`${gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (!reload.ok) throw new Error(`bench storm: reload answered ${reload.status}: ${await reload.text()}`);
  let released = 0;
  let lagMs = 0;
  for (;;) {
    const text = await metricsText(gw);
    lagMs = Math.max(lagMs, eventLoopMaxMs(text));
    if ((released = counterSum(text, 'alertgate_maintenance_released_notifications_total')) >= held) break;
    if (performance.now() - started > 600_000) throw new Error(`bench storm: ${released} of ${held} held notifications released after 10 minutes`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, notifications: released, cpuMsPerNotification: ((gw.cpuSeconds() - cpu0) * 1000) / released, eventLoopMaxMs: lagMs };
}

/** `slices` back-to-back closed-loop slices of new groups, numbered on from each other; with `hold`, then the window's end. */
async function slices(dir: string, name: string, stormLimit: number | undefined, count: number, hold = false): Promise<{ slices: Slice[]; release?: Release }> {
  const configDir = path.join(dir, name);
  await writeEstate(configDir, stormLimit ? { stormLimit } : {});
  if (hold) await holdEverything(configDir);
  const sink = await startSlackSink();
  const extra: Record<string, string> = hold ? { ADMIN_TOKEN, MAINTENANCE_TICK_MS: String(MAINTENANCE_TICK_MS) } : {};
  const gw = await startBenchGateway({
    env: benchEnv({ dbFile: path.join(dir, `${name}.db`), configDir, slackUrl: sink.url, extra }),
    logFile: path.join(dir, `${name}.log`),
  }).catch(async (err: unknown) => {
    await sink.close();
    throw err;
  });
  try {
    const out: Slice[] = [];
    let next = 0;
    for (let i = 0; i < count; i++) {
      const cpu0 = gw.cpuSeconds();
      const result = await runLoad({
        url: `${gw.url}/webhooks/alertmanager`,
        headers: { authorization: `Bearer ${BENCH_WEBHOOK_TOKEN}` },
        format: 'webhook',
        batch: BATCH,
        run: name,
        firstRequest: next,
        noRepeats: true,
        concurrency: IN_FLIGHT,
        warmupMs: 0,
        durationMs: SLICE_MS,
        expectStatus: 202,
      });
      if (Object.keys(result.failures).length > 0) throw new Error(`bench storm: ${name} failed requests: ${JSON.stringify(result.failures)}`);
      next += result.requests;
      out.push({ webhooksPerS: result.okPerS, cpuMsPerWebhook: ((gw.cpuSeconds() - cpu0) * 1000) / result.allOk, gathered: await gathered(gw), requestsSoFar: next });
    }
    return hold ? { slices: out, release: await endWindow(gw, configDir) } : { slices: out };
  } finally {
    await gw.stop('SIGKILL');
    await sink.close();
  }
}

/** Rates by slice with the groups held per team after each (requests ÷ 4: every one is a new held group). */
function heldNote(held: Slice[]): string {
  return held.map((s) => `${Math.round(s.webhooksPerS)} (${Math.round(s.requestsSoFar / 4)})`).join(' · ');
}

export const stormBenchmark: Benchmark = {
  id: 'storm',
  title: 'storm: ingest while storm digests or maintenance holds grow',
  async run(): Promise<BenchFigure[]> {
    const dir = await mkdtemp(path.join(tmpdir(), 'alertgate-bench-storm-'));
    try {
      process.stderr.write(`bench storm: ${SLICES} slices of ${SLICE_MS / 1000} s in a storm (${load()})\n`);
      const { slices: storm } = await slices(dir, 'storm', undefined, SLICES);
      process.stderr.write(`bench storm: the same load with storms off (${load()})\n`);
      const { slices: calm } = await slices(dir, 'calm', 1_000_000, 2);
      process.stderr.write(`bench storm: ${SLICES} slices with a maintenance window holding every group (${load()})\n`);
      const { slices: held, release } = await slices(dir, 'held', 1_000_000, SLICES, true);
      // The first slice of each gateway warms V8 up; the second is the start of the storm.
      const start = storm[1]!;
      const end = storm.at(-1)!;
      const perChannel = (s: Slice) => Math.round(s.gathered / 4);
      const detail = (s: Slice) => `${round(s.cpuMsPerWebhook, 2)} ms of gateway CPU per webhook; ${perChannel(s)} groups gathered per channel by then`;
      const bySlice = storm.map((s) => `${Math.round(s.webhooksPerS)} (${perChannel(s)})`).join(' · ');
      const slicesNote = `${IN_FLIGHT} in flight, ${BATCH} alerts per webhook, four teams' channels, default storm limit (20 a minute); every slice, webhooks/s (groups gathered per channel after it): ${bySlice}; ${load()}`;
      return [
        { name: `storm: ${BATCH}-alert webhooks/s as the storm starts (second ${SLICE_MS / 1000} s slice)`, value: round(start.webhooksPerS), unit: '/s', notes: `${detail(start)}; ${slicesNote}` },
        { name: `storm: the same, last ${SLICE_MS / 1000} s slice (digests grown)`, value: round(end.webhooksPerS), unit: '/s', notes: detail(end) },
        { name: 'storm: last slice ÷ second slice', value: round(end.webhooksPerS / start.webhooksPerS, 2), unit: '×', notes: '1 when what a webhook costs does not grow with the digests (below 1: it does)' },
        { name: `storm: the same load with storms off (second slice)`, value: round(calm[1]!.webhooksPerS), unit: '/s', notes: `${round(calm[1]!.cpuMsPerWebhook, 2)} ms of gateway CPU per webhook` },
        {
          name: 'maintenance window holding every group: webhooks/s, second slice',
          value: round(held[1]!.webhooksPerS),
          unit: '/s',
          notes: `${round(held[1]!.cpuMsPerWebhook, 2)} ms of gateway CPU per webhook; every slice, webhooks/s (held per team after it, estimated from requests): ${heldNote(held)}`,
        },
        { name: 'maintenance window holding every group: webhooks/s, last slice', value: round(held.at(-1)!.webhooksPerS), unit: '/s', notes: `${round(held.at(-1)!.cpuMsPerWebhook, 2)} ms of gateway CPU per webhook` },
        {
          name: 'maintenance window ended over every held group: every held notification queued again',
          value: round(release!.seconds, 2),
          unit: 's',
          notes: `${release!.notifications} notifications of ${Math.round(held.at(-1)!.requestsSoFar)} groups (${BATCH} alerts each), ${round(release!.notifications / release!.seconds)} a second, ${round(release!.cpuMsPerNotification, 2)} ms of gateway CPU each (delivery to the Slack stand-in running beside it); the event loop's longest delay meanwhile ${round(release!.eventLoopMaxMs, 1)} ms; from the config reload that ends the window, the release pass running every ${MAINTENANCE_TICK_MS} ms`,
        },
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/**
 * @module bench/delivery
 * Delivery, end to end, with the compiled gateway as its own process and a Slack stand-in
 * (bench/support/slack-sink.ts) in this one. Slack pacing is lifted (SLACK_CHANNEL_RATE/BURST)
 * and storms are off: both hold messages back on purpose, and the figures are about the gateway.
 *
 * 1. Latency: new groups (one alert each, a unique alertname) arrive at a fixed 200 webhooks/s
 *    from the load client; each latency is the Slack stand-in's arrival time of the group's
 *    message minus the moment the load client sent the webhook (wall clocks of two processes on
 *    one machine).
 * 2. Drain: a 50,000-notification backlog (written through the real pipeline while the gateway
 *    is down) is delivered to a Slack stand-in that answers after 20 ms, with bounded
 *    concurrency (OUTBOX_CONCURRENCY); the rate is notifications over the time from the gateway
 *    being ready to the last call answered.
 * 3. Transport: the CPU one Slack API call costs the calling thread (the event loop, or the
 *    delivery thread), HTTP alone, with the transport in a process of its own
 *    (bench/support/transport-load.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH_WEBHOOK_TOKEN, benchEnv, writeEstate } from './support/estate.js';
import { startBenchGateway } from './support/gateway-process.js';
import { prefill } from './support/prefill.js';
import { runBenchScript, runLoad } from './support/run-load.js';
import { startSlackSink } from './support/slack-sink.js';
import { percentile, round } from './support/stats.js';
import type { TransportLoadResult, TransportLoadSpec } from './support/transport-load.js';
import type { Benchmark, BenchFigure } from './types.js';

const RATE = 200;
const LATENCY_TARGET_MS = 250;
const MARKER = 'BenchE2E';
const BACKLOG = 50_000;
const SLACK_DELAY_MS = 20;
const DRAIN_CONCURRENCY = Number(process.env.BENCH_DRAIN_CONCURRENCY ?? 32);
const DRAIN_TARGET = 500;

const load = () => `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`;

async function latency(dir: string): Promise<BenchFigure[]> {
  const sink = await startSlackSink({ marker: MARKER });
  const gw = await startBenchGateway({
    env: benchEnv({ dbFile: path.join(dir, 'latency.db'), configDir: dir, slackUrl: sink.url }),
    logFile: path.join(dir, 'latency.log'),
  }).catch(async (err: unknown) => {
    await sink.close();
    throw err;
  });
  try {
    process.stderr.write(`bench delivery: ${RATE} new groups/s (${load()})\n`);
    const result = await runLoad({
      url: `${gw.url}/webhooks/alertmanager`,
      headers: { authorization: `Bearer ${BENCH_WEBHOOK_TOKEN}` },
      format: 'webhook',
      batch: 1,
      run: 'e2e',
      noRepeats: true,
      uniqueAlertnamePrefix: MARKER,
      rate: RATE,
      maxInFlight: 256,
      warmupMs: 2_000,
      durationMs: 10_000,
      expectStatus: 202,
      recordSends: true,
    });
    const sends = result.sends ?? [];
    const lastGroup = sends.at(-1)?.group ?? 0;
    await sink.waitForCalls(result.acceptedGroups, 60_000).catch(() => undefined);
    await waitFor(() => sink.arrivals.has(lastGroup), 30_000);
    const latencies: number[] = [];
    let missing = 0;
    for (const s of sends) {
      const at = sink.arrivals.get(s.group);
      if (at === undefined) missing += 1;
      else latencies.push(at - s.wallMs);
    }
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const notes = `${sends.length} groups over 10 s (after 2 s warm-up), offered ${round(result.offeredPerS ?? 0)}/s; ack p99 ${round(
      result.latencyMs.p99,
    )} ms; max ${round(Math.max(...latencies))} ms${missing ? `; ${missing} never arrived` : ''}; ${load()}`;
    return [
      { name: `webhook → Slack at ${RATE} new groups/s: p50`, value: round(p50, 1), unit: 'ms', notes },
      {
        name: `webhook → Slack at ${RATE} new groups/s: p99`,
        value: round(p99, 1),
        unit: 'ms',
        target: `≤ ${LATENCY_TARGET_MS} ms`,
        met: p99 <= LATENCY_TARGET_MS && missing === 0,
      },
    ];
  } finally {
    // A profiling run (BENCH_CPU_PROF) stops it gracefully, or V8 never writes the profile.
    await gw.stop(process.env.BENCH_CPU_PROF ? 'SIGTERM' : 'SIGKILL');
    await sink.close();
  }
}

async function drain(dir: string, concurrency: number, backlog: number, withTarget: boolean): Promise<BenchFigure> {
  const dbFile = path.join(dir, `drain-${concurrency}.db`);
  process.stderr.write(`bench delivery: writing a ${backlog}-notification backlog (${load()})\n`);
  // Groups whose first alert is critical go to two channels: size the groups to the backlog.
  const groups = Math.ceil((backlog * 20) / 21);
  const { notifications } = await prefill({ dbFile, configDir: dir, run: `drain${concurrency}`, groups });
  const sink = await startSlackSink({ delayMs: SLACK_DELAY_MS });
  process.stderr.write(`bench delivery: draining ${notifications} with concurrency ${concurrency} (${load()})\n`);
  const t0 = performance.timeOrigin + performance.now();
  const gw = await startBenchGateway({
    env: benchEnv({ dbFile, configDir: dir, slackUrl: sink.url, extra: { OUTBOX_CONCURRENCY: String(concurrency), LOG_LEVEL: 'info' } }),
    logFile: path.join(dir, `drain-${concurrency}.log`),
  }).catch(async (err: unknown) => {
    await sink.close();
    throw err;
  });
  const ready = performance.timeOrigin + performance.now();
  try {
    const cpu0 = gw.cpuSeconds();
    await sink.waitForCalls(notifications, 30 * 60_000);
    const seconds = (sink.span().last - ready) / 1000;
    const rate = notifications / seconds;
    const cpuMs = ((gw.cpuSeconds() - cpu0) * 1000) / notifications;
    return {
      name: `outbox drain of ${notifications}, Slack answering in ${SLACK_DELAY_MS} ms, OUTBOX_CONCURRENCY=${concurrency}`,
      value: round(rate),
      unit: 'notifications/s',
      ...(withTarget ? { target: `≥ ${DRAIN_TARGET}/s`, met: rate >= DRAIN_TARGET } : {}),
      notes: `${notifications} notifications in ${round(seconds)} s (gateway start took ${round((ready - t0) / 1000, 1)} s, not counted); at most ${concurrency} in flight, so at most ${round(
        (concurrency * 1000) / SLACK_DELAY_MS,
      )}/s; gateway CPU ${round(cpuMs, 2)} ms/notification; ${load()}`,
    };
  } finally {
    // A profiling run (BENCH_CPU_PROF) stops it gracefully, or V8 never writes the profile.
    await gw.stop(process.env.BENCH_CPU_PROF ? 'SIGTERM' : 'SIGKILL');
    await sink.close();
  }
}

async function transport(): Promise<BenchFigure> {
  const sink = await startSlackSink();
  try {
    process.stderr.write(`bench delivery: Slack transport CPU per call (${load()})\n`);
    const spec: TransportLoadSpec = { apiUrl: sink.url, concurrency: 32, warmupMs: 2_000, durationMs: 5_000 };
    const r = await runBenchScript<TransportLoadResult>('bench/support/transport-load.ts', spec);
    if (r.failed > 0) throw new Error(`${r.failed} of ${r.calls} Slack calls failed against the stand-in`);
    return {
      name: 'delivery: CPU of one Slack API call in the calling thread (HTTP only)',
      value: round(r.cpuMsPerCall, 3),
      unit: 'ms',
      notes: `${r.calls} chat.postMessage calls of ~1 KB, ${spec.concurrency} in flight for ${spec.durationMs / 1000} s, against the stand-in; ${load()}`,
    };
  } finally {
    await sink.close();
  }
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

export const deliveryBenchmark: Benchmark = {
  id: 'delivery',
  title: 'delivery: webhook → Slack latency and outbox drain',
  async run(): Promise<BenchFigure[]> {
    const dir = await mkdtemp(path.join(tmpdir(), 'alertgate-bench-delivery-'));
    try {
      await writeEstate(dir, { stormLimit: 1_000_000 });
      const figures = await latency(dir);
      figures.push(await drain(dir, DRAIN_CONCURRENCY, BACKLOG, true));
      // The default concurrency, on a smaller backlog: 20 ms per call caps it at 400/s.
      figures.push(await drain(dir, 8, 10_000, false));
      figures.push(await transport());
      return figures;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

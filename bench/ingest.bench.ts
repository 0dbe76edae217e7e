/**
 * @module bench/ingest
 * Webhook ingest, side by side with Alertmanager on the same machine in the same run.
 *
 * - alertgate: the compiled gateway as its own process, SQLite file store in a temp dir with the
 *   shipped settings (WAL, synchronous=FULL: every 202 is on disk), its outbox worker delivering
 *   every new group to a Slack stand-in (bench/support/slack-sink.ts) as it would in production.
 * - Alertmanager: a real `prometheus-alertmanager`, grouping by the same group label and notifying
 *   a webhook receiver, given the same alerts on `POST /api/v2/alerts` (Prometheus' API).
 *
 * Each gateway first gets GATEWAY_WARMUP_MS of traffic (below: V8 optimises a long-running
 * process as it runs), not measured. Load comes from bench/load-client.ts in its own process:
 * closed loops for the maximum sustained rate, for each batch size (1, 10, 100 alerts per
 * request) and each of CONCURRENCY_LEVELS requests in flight. A rate measured at one fixed
 * concurrency is the maximum only for a server that is CPU-bound there: Alertmanager is at 32
 * (its rate stays flat or falls beyond), alertgate is not (each request waits for a commit; more
 * in flight share one), so both get the same levels and each is credited with its best. The two
 * systems take turns (A, B, A, B …) so a burst of load from elsewhere on a shared machine does not
 * favour one of them, and each keeps its best round; the notes give every level's figures. Then
 * an open-loop run at a fixed 500 webhooks/s of 10 alerts for the ack latency. Every request is a
 * new group (a distinct groupKey) except one in ten, an exact copy of a recent one (an HA peer's
 * or a retry's copy; alertgate records it as a suppressed duplicate). Afterwards the gateway is
 * SIGKILLed and its database must hold every group it answered 202 for.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startAlertmanager, type AlertmanagerProcess } from '../src/testing/alertmanager.js';
import { findBinary } from '../src/testing/binaries.js';
import type { LoadResult, LoadSpec } from './load-client.js';
import { REPEAT_EVERY } from './support/alerts.js';
import { BENCH_WEBHOOK_TOKEN, benchEnv, writeEstate } from './support/estate.js';
import { metricsText, outboxDrained, slowAnswersPct, startBenchGateway, type BenchGateway } from './support/gateway-process.js';
import { FIXED_RATE_MAX_IN_FLIGHT, runLoad } from './support/run-load.js';
import { startSlackSink, type SlackSink } from './support/slack-sink.js';
import { round } from './support/stats.js';
import type { Benchmark, BenchFigure } from './types.js';

const BATCHES = [1, 10, 100];
/** Requests in flight of the closed loops; the warm-up uses the first. */
const CONCURRENCY_LEVELS = [32, 64, 128];
const WARMUP_MS = 2_000;
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 8_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const FIXED_RATE = 500;
const FIXED_BATCH = 10;
const RATIO_TARGET = 1.5;
/**
 * Traffic a fresh gateway gets before anything is measured. alertgate is a long-running process
 * whose hot paths V8 optimises as they run: on a 2-vCPU machine its optimising compiler was still
 * busy 30 s into the first load (a third of the gateway's CPU in the first 8 s went to compiling;
 * closed-loop 1-alert throughput rose from ~700 to ~1,350 webhooks/s by the third 8 s round).
 * Alertmanager is compiled ahead of time and needs no such warm-up.
 */
const GATEWAY_WARMUP_MS = Number(process.env.BENCH_GATEWAY_WARMUP_MS ?? 30_000);
const P99_TARGET_MS = 20;

const load = () => `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`;

interface Best {
  result: LoadResult;
  /** Requests in flight in that round. */
  concurrency: number;
  /** CPU milliseconds per answered request of the server in that round. */
  cpuMsPerWebhook?: number;
  note: string;
}

/** The pid of the process started with `--web.listen-address=<host:port of url>` (Alertmanager). */
function pidListeningOn(url: string): number | undefined {
  try {
    const out = execFileSync('pgrep', ['-f', `web.listen-address=${new URL(url).host}`], { encoding: 'utf8' });
    const pid = Number(out.trim().split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used, from /proc. */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** An open-loop run and the gateway's own view of it (`slowAnswersPct`). */
interface FixedRun {
  load: LoadResult;
  /** Of its 202 answers, % the gateway took over 10 and over 20 ms on. */
  gatewaySlower: { over10ms: number; over20ms: number };
}

/** Open loop: FIXED_RATE webhooks/s of FIXED_BATCH alerts, whatever the answers. */
async function fixedRateLoad(gw: BenchGateway, run: string): Promise<FixedRun> {
  const before = await metricsText(gw);
  const load = await runLoad({
    url: `${gw.url}/webhooks/alertmanager`,
    headers: { authorization: `Bearer ${BENCH_WEBHOOK_TOKEN}` },
    format: 'webhook',
    batch: FIXED_BATCH,
    run,
    rate: FIXED_RATE,
    maxInFlight: FIXED_RATE_MAX_IN_FLIGHT,
    warmupMs: WARMUP_MS,
    durationMs: Math.max(DURATION_MS, 10_000),
    expectStatus: 202,
  });
  const after = await metricsText(gw);
  return { load, gatewaySlower: { over10ms: slowAnswersPct(before, after, '0.01'), over20ms: slowAnswersPct(before, after, '0.02') } };
}

function fixedRateFigures({ load: fixed, gatewaySlower }: FixedRun, variant: string): BenchFigure[] {
  const notes = `offered ${round(fixed.offeredPerS ?? 0)}/s, answered ${round(fixed.okPerS)}/s, ${fixed.requests} requests, p90 ${round(
    fixed.latencyMs.p90,
  )} ms, max ${round(fixed.latencyMs.max)} ms${Object.keys(fixed.failures).length ? `, failures ${JSON.stringify(fixed.failures)}` : ''}; ${load()}`;
  // Where the tail is: the gateway's own timing (warm-up included) and the client's lateness.
  const tail = `the gateway itself (read → answer) took over 10 ms on ${round(gatewaySlower.over10ms, 2)} % of its 202s and over 20 ms on ${round(
    gatewaySlower.over20ms,
    2,
  )} %; the load client handed requests to their sockets ${round(fixed.sendLagMs.p99, 2)} ms late at p99`;
  const failed = fixed.requests - fixed.ok;
  return [
    { name: `ack latency at ${FIXED_RATE} webhooks/s × ${FIXED_BATCH} alerts${variant}: p50`, value: round(fixed.latencyMs.p50, 2), unit: 'ms', notes },
    {
      name: `ack latency at ${FIXED_RATE} webhooks/s × ${FIXED_BATCH} alerts${variant}: p99`,
      value: round(fixed.latencyMs.p99, 2),
      unit: 'ms',
      target: `≤ ${P99_TARGET_MS} ms`,
      met: fixed.latencyMs.p99 <= P99_TARGET_MS && failed === 0,
      notes: tail,
    },
  ];
}

/** Closed-loop traffic of every batch size, then a drained outbox; returns the groups it accepted. */
async function warmUp(gw: BenchGateway, run: string): Promise<number> {
  if (GATEWAY_WARMUP_MS <= 0) return 0;
  process.stderr.write(`bench ingest: warming the gateway up for ${GATEWAY_WARMUP_MS / 1000} s (${load()})\n`);
  let accepted = 0;
  for (const batch of BATCHES) {
    const r = await runLoad({
      url: `${gw.url}/webhooks/alertmanager`,
      headers: { authorization: `Bearer ${BENCH_WEBHOOK_TOKEN}` },
      format: 'webhook',
      batch,
      run: `${run}w${batch}`,
      concurrency: CONCURRENCY_LEVELS[0],
      warmupMs: 0,
      durationMs: GATEWAY_WARMUP_MS / BATCHES.length,
      expectStatus: 202,
    });
    accepted += r.acceptedGroups;
  }
  await outboxDrained(gw);
  return accepted;
}

export const ingestBenchmark: Benchmark = {
  id: 'ingest',
  title: 'ingest: alertgate vs Alertmanager',
  async run(): Promise<BenchFigure[]> {
    const amBinary = findBinary('prometheus-alertmanager');
    if (!amBinary) throw new Error('prometheus-alertmanager is not on PATH (the peer comparison needs it)');
    const dir = await mkdtemp(path.join(tmpdir(), 'alertgate-bench-ingest-'));
    const dbFile = path.join(dir, 'alertgate.db');
    let sink: SlackSink | undefined;
    let gw: BenchGateway | undefined;
    let am: AlertmanagerProcess | undefined;
    try {
      // No storms: a storm digests new groups instead of posting them, which is less work per group.
      await writeEstate(dir, { stormLimit: 1_000_000 });
      sink = await startSlackSink();
      gw = await startBenchGateway({
        env: benchEnv({ dbFile, configDir: dir, slackUrl: sink.url }),
        logFile: path.join(dir, 'gateway.log'),
      });
      const gateway = gw;
      const slackSink = sink;
      // A fresh Alertmanager per round, stopped after it: its notifications of one round must not
      // run while alertgate is measured (nor alertgate's deliveries while Alertmanager is).
      const startAm = async (): Promise<AlertmanagerProcess> =>
        (am = await startAlertmanager({ webhookUrl: `${slackSink.origin}/alertmanager`, groupBy: ['bench_group'], groupWait: '1s', groupInterval: '1m' }));

      const base = { warmupMs: WARMUP_MS, durationMs: DURATION_MS } as const;
      const alertgateSpec = (run: string, batch: number, concurrency: number): LoadSpec => ({
        ...base,
        concurrency,
        url: `${gateway.url}/webhooks/alertmanager`,
        headers: { authorization: `Bearer ${BENCH_WEBHOOK_TOKEN}` },
        format: 'webhook',
        batch,
        run,
        expectStatus: 202,
      });
      const amSpec = (alertmanager: AlertmanagerProcess, run: string, batch: number, concurrency: number): LoadSpec => ({
        ...base,
        concurrency,
        url: `${alertmanager.url}/api/v2/alerts`,
        format: 'alertmanager',
        batch,
        run,
        expectStatus: 200,
      });

      let acceptedGroups = await warmUp(gateway, 'warm');
      const figures: BenchFigure[] = [];
      for (const batch of BATCHES) {
        // The best round of each system at each level; each system is credited with its best level.
        const bestAg = new Map<number, Best>();
        const bestAm = new Map<number, Best>();
        const keep = (best: Map<number, Best>, b: Best) => {
          const old = best.get(b.concurrency);
          if (!old || b.result.okPerS > old.result.okPerS) best.set(b.concurrency, b);
        };
        for (let r = 0; r < ROUNDS; r++) {
          for (const concurrency of CONCURRENCY_LEVELS) {
            const run = `b${batch}r${r}c${concurrency}`;
            process.stderr.write(`bench ingest: batch ${batch}, ${concurrency} in flight, round ${r + 1}/${ROUNDS} (${load()})\n`);
            const cpu0 = gateway.cpuSeconds();
            const ag = await runLoad(alertgateSpec(run, batch, concurrency));
            const cpuMs = ((gateway.cpuSeconds() - cpu0) * 1000) / Math.max(1, ag.allOk);
            acceptedGroups += ag.acceptedGroups;
            keep(bestAg, { result: ag, concurrency, cpuMsPerWebhook: cpuMs, note: load() });
            await outboxDrained(gateway);
            const alertmanager = await startAm();
            const amPid = pidListeningOn(alertmanager.url);
            const amCpu0 = amPid ? processCpuSeconds(amPid) : Number.NaN;
            const amr = await runLoad(amSpec(alertmanager, run, batch, concurrency));
            const amCpuMs = amPid ? ((processCpuSeconds(amPid) - amCpu0) * 1000) / Math.max(1, amr.allOk) : Number.NaN;
            await alertmanager.stop();
            am = undefined;
            keep(bestAm, { result: amr, concurrency, cpuMsPerWebhook: amCpuMs, note: load() });
          }
        }
        const fastest = (best: Map<number, Best>) => [...best.values()].reduce((a, b) => (b.result.okPerS > a.result.okPerS ? b : a));
        const ag = fastest(bestAg);
        const amb = fastest(bestAm);
        const levels = CONCURRENCY_LEVELS.map((c) => {
          const a = bestAg.get(c)!.result.alertsPerS;
          const m = bestAm.get(c)!.result.alertsPerS;
          return `${c} in flight: ${round(a)} vs ${round(m)} alerts/s (${round(a / m, 2)} ×)`;
        }).join('; ');
        const ratio = ag.result.alertsPerS / amb.result.alertsPerS;
        const failures = (r: LoadResult) => (Object.keys(r.failures).length ? `; failures ${JSON.stringify(r.failures)}` : '');
        figures.push(
          {
            name: `ingest, ${batch} alert${batch > 1 ? 's' : ''}/webhook: alertgate webhooks/s`,
            value: round(ag.result.okPerS),
            unit: '/s',
            notes: `best at ${ag.concurrency} in flight (of ${CONCURRENCY_LEVELS.join(', ')}), best of ${ROUNDS} rounds of ${DURATION_MS / 1000} s; p50 ${round(ag.result.latencyMs.p50)} ms, p99 ${round(ag.result.latencyMs.p99)} ms; gateway CPU ${round(ag.cpuMsPerWebhook ?? 0, 2)} ms/webhook${failures(ag.result)}; ${ag.note}`,
          },
          {
            name: `ingest, ${batch} alert${batch > 1 ? 's' : ''}/webhook: alertgate alerts/s`,
            value: round(ag.result.alertsPerS),
            unit: '/s',
          },
          {
            name: `ingest, ${batch} alert${batch > 1 ? 's' : ''}/request: Alertmanager alerts/s`,
            value: round(amb.result.alertsPerS),
            unit: '/s',
            notes: `POST /api/v2/alerts, best at ${amb.concurrency} in flight (of ${CONCURRENCY_LEVELS.join(', ')}), best of ${ROUNDS}; p50 ${round(amb.result.latencyMs.p50)} ms, p99 ${round(amb.result.latencyMs.p99)} ms; Alertmanager CPU ${round(amb.cpuMsPerWebhook ?? Number.NaN, 2)} ms/request${failures(amb.result)}; ${amb.note}`,
          },
          {
            name: `ingest, ${batch} alert${batch > 1 ? 's' : ''}/webhook: alertgate ÷ Alertmanager alerts/s`,
            value: round(ratio, 2),
            unit: '×',
            target: `≥ ${RATIO_TARGET}`,
            met: ratio >= RATIO_TARGET,
            notes: `each system's best level against the other's; at each level: ${levels}`,
          },
          {
            // Less sensitive to a shared machine than rates: Alertmanager uses every core, alertgate one.
            name: `ingest, ${batch} alert${batch > 1 ? 's' : ''}/webhook: CPU per alert, Alertmanager ÷ alertgate`,
            value: round((amb.cpuMsPerWebhook ?? Number.NaN) / (ag.cpuMsPerWebhook ?? Number.NaN), 2),
            unit: '×',
            notes: `CPU time of each server process per request answered in its best round (warm-up included): alertgate ${round(ag.cpuMsPerWebhook ?? Number.NaN, 2)} ms, Alertmanager ${round(
              amb.cpuMsPerWebhook ?? Number.NaN,
              2,
            )} ms; above 1, alertgate spends less CPU per alert`,
          },
        );
      }

      await outboxDrained(gateway);
      process.stderr.write(`bench ingest: ${FIXED_RATE} webhooks/s of ${FIXED_BATCH} alerts (${load()})\n`);
      const fixed = await fixedRateLoad(gateway, 'fixed');
      acceptedGroups += fixed.load.acceptedGroups;
      figures.push(...fixedRateFigures(fixed, ''));

      // Durability: kill -9, then every group answered 202 must be in the database. A profiling
      // run (BENCH_CPU_PROF) stops it gracefully instead, or V8 never writes the profile.
      await gateway.stop(process.env.BENCH_CPU_PROF ? 'SIGTERM' : 'SIGKILL');
      gw = undefined;
      const db = new Database(dbFile, { readonly: true });
      let stored: number;
      try {
        stored = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM groups WHERE group_key LIKE '{}:{bench_group=%'").get()!.n;
      } finally {
        db.close();
      }
      figures.push({
        name: 'ingest: groups answered 202 and found after SIGKILL',
        value: stored,
        unit: 'groups',
        target: `= ${acceptedGroups} answered 202`,
        met: stored === acceptedGroups,
        notes: `every ${REPEAT_EVERY}th request repeats a recent group (suppressed duplicate); Slack stand-in got ${sink.calls()} calls`,
      });

      // The same fixed load with the opt-in delivery thread (a fresh database).
      process.stderr.write(`bench ingest: ${FIXED_RATE} webhooks/s of ${FIXED_BATCH} alerts, OUTBOX_THREAD=true (${load()})\n`);
      gw = await startBenchGateway({
        env: { ...benchEnv({ dbFile: path.join(dir, 'threaded.db'), configDir: dir, slackUrl: sink.url }), OUTBOX_THREAD: 'true' },
        logFile: path.join(dir, 'gateway-threaded.log'),
      });
      await warmUp(gw, 'warm-threaded');
      const threaded = await fixedRateLoad(gw, 'fixed-threaded');
      await outboxDrained(gw);
      figures.push(...fixedRateFigures(threaded, `, OUTBOX_THREAD=true (opt-in; peak RSS ${round(gw.memory().peakRssMiB)} MB)`));
      await gw.stop(process.env.BENCH_CPU_PROF ? 'SIGTERM' : 'SIGKILL');
      gw = undefined;
      return figures;
    } finally {
      await gw?.stop('SIGKILL');
      await am?.stop();
      await sink?.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

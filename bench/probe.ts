/**
 * @module bench/probe
 * A quick closed-loop probe of one gateway build, for trying a change between full `npm run bench`
 * runs: `node --import tsx bench/probe.ts` (env: PROBE_BATCH=1, PROBE_CONCURRENCY=128,
 * PROBE_ROUNDS=3, PROBE_WARMUP_MS=10000, PROBE_DURATION_MS=8000; PROBE_RATE=<webhooks/s> for an
 * open loop instead, after the warm-up's deliveries drained, as the bench's ack-latency run;
 * PROBE_KEEP=1 to keep the temp dir with the gateway's log and database; and the gateway knobs
 * of support/gateway-process.ts: BENCH_SKIP_BUILD, BENCH_GATEWAY_BUILD, BENCH_GATEWAY_ENV, …).
 * A/B two builds by alternating runs of this script, one build each (`BENCH_GATEWAY_BUILD`);
 * this machine kind drifts by ±10 % within minutes, so compare alternating pairs, never a
 * before-and-after.
 *
 * One JSON line per round: webhooks/s, client p99, the gateway's CPU per webhook by thread (the
 * event loop is the thread whose id is the pid; the writer is the busiest other one), the share
 * of the round each of those two threads spent running, waiting for a CPU (runnable) and
 * sleeping (from /proc/…/schedstat), the group commits, and the load client's CPU per webhook
 * (a gauge of the machine's speed in that round), this process's CPU per webhook (the Slack
 * stand-in), and the Slack calls per webhook and outbox depth after the round: in a closed loop
 * ingest keeps the event loop busy and deliveries fall behind, as the bench drains them after.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadSpec } from './load-client.js';
import { BENCH_WEBHOOK_TOKEN, benchEnv, writeEstate } from './support/estate.js';
import { metricsText, outboxDepth, outboxDrained, slowAnswersPct, startBenchGateway } from './support/gateway-process.js';
import { FIXED_RATE_MAX_IN_FLIGHT, runLoad } from './support/run-load.js';
import { startSlackSink } from './support/slack-sink.js';

const num = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const BATCH = num('PROBE_BATCH', 1);
const CONCURRENCY = num('PROBE_CONCURRENCY', 128);
const ROUNDS = num('PROBE_ROUNDS', 3);
const WARMUP_MS = num('PROBE_WARMUP_MS', 10_000);
const DURATION_MS = num('PROBE_DURATION_MS', 8_000);
const RATE = process.env.PROBE_RATE ? num('PROBE_RATE', 500) : undefined;

interface ThreadTimes {
  cpuMs: number;
  /** Nanoseconds on a CPU and waiting for one (schedstat). */
  runNs: number;
  waitNs: number;
}

/** Every thread of `pid` now. A thread that ended between listing and reading is skipped. */
function threads(pid: number): Map<number, ThreadTimes> {
  const out = new Map<number, ThreadTimes>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [runNs, waitNs] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      out.set(Number(tid), { cpuMs: (Number(fields[11]) + Number(fields[12])) * 10, runNs: runNs!, waitNs: waitNs! });
    } catch {
      // gone
    }
  }
  return out;
}

/** Sum and count of a histogram in a Prometheus text exposition. */
function histogram(text: string, name: string): { sum: number; count: number } {
  const value = (suffix: string) => Number(new RegExp(`^${name}_${suffix} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { sum: value('sum'), count: value('count') };
}

const dir = await mkdtemp(path.join(tmpdir(), 'alertgate-probe-'));
await writeEstate(dir, { stormLimit: 1_000_000 });
const sink = await startSlackSink();
const gateway = await startBenchGateway({
  env: benchEnv({ dbFile: path.join(dir, 'probe.db'), configDir: dir, slackUrl: sink.url }),
  logFile: path.join(dir, 'gateway.log'),
});
const spec = (run: string, batch: number, warmupMs: number, durationMs: number): LoadSpec => ({
  url: `${gateway.url}/webhooks/alertmanager`,
  headers: { authorization: `Bearer ${BENCH_WEBHOOK_TOKEN}` },
  format: 'webhook',
  batch,
  run,
  // The warm-up is always a closed loop; measured rounds are open at PROBE_RATE when it is set.
  ...(RATE !== undefined && run !== 'warm' ? { rate: RATE, maxInFlight: FIXED_RATE_MAX_IN_FLIGHT } : { concurrency: CONCURRENCY }),
  warmupMs,
  durationMs,
  expectStatus: 202,
});
const metrics = () => metricsText(gateway);
const share = (ns: number, wallMs: number) => Math.round((ns / 1e6 / wallMs) * 100);

try {
  if (WARMUP_MS > 0) await runLoad(spec('warm', BATCH, 0, WARMUP_MS));
  // As the bench does before its fixed-rate run: an open loop must not also drain the warm-up's deliveries.
  if (RATE !== undefined) await outboxDrained(gateway);
  for (let round = 0; round < ROUNDS; round++) {
    const before = threads(gateway.pid);
    const m0 = await metrics();
    const started = performance.now();
    const ownCpu = process.cpuUsage();
    const calls0 = sink.calls();
    const load = await runLoad(spec(`r${round}`, BATCH, 2_000, DURATION_MS));
    const wallMs = performance.now() - started;
    const own = process.cpuUsage(ownCpu);
    const after = threads(gateway.pid);
    const m1 = await metrics();
    const per = (ms: number) => +(ms / Math.max(1, load.allOk)).toFixed(3);
    const deltas = [...after].map(([tid, t]) => {
      const b = before.get(tid) ?? { cpuMs: 0, runNs: 0, waitNs: 0 };
      return { tid, cpuMs: t.cpuMs - b.cpuMs, runNs: t.runNs - b.runNs, waitNs: t.waitNs - b.waitNs };
    });
    const eventLoop = deltas.find((d) => d.tid === gateway.pid)!;
    const writer = deltas.filter((d) => d.tid !== gateway.pid).sort((a, b) => b.cpuMs - a.cpuMs)[0]!;
    const others = deltas.reduce((sum, d) => sum + d.cpuMs, 0) - eventLoop.cpuMs - writer.cpuMs;
    const c0 = histogram(m0, 'alertgate_store_commit_writes');
    const c1 = histogram(m1, 'alertgate_store_commit_writes');
    const s0 = histogram(m0, 'alertgate_store_commit_seconds');
    const s1 = histogram(m1, 'alertgate_store_commit_seconds');
    const commits = c1.count - c0.count;
    const overPct = (le: string) => +slowAnswersPct(m0, m1, le).toFixed(2);
    const line = {
      round,
      batch: BATCH,
      ...(RATE !== undefined ? { offeredPerS: RATE, p50Ms: +load.latencyMs.p50.toFixed(1) } : { inFlight: CONCURRENCY }),
      webhooksPerS: Math.round(load.okPerS),
      p99Ms: +load.latencyMs.p99.toFixed(1),
      sendLagMs: { p50: +load.sendLagMs.p50.toFixed(2), p99: +load.sendLagMs.p99.toFixed(2) },
      cpuMsPerWebhook: { eventLoop: per(eventLoop.cpuMs), writer: per(writer.cpuMs), others: per(others) },
      eventLoop: { runPct: share(eventLoop.runNs, wallMs), waitPct: share(eventLoop.waitNs, wallMs) },
      writer: { runPct: share(writer.runNs, wallMs), waitPct: share(writer.waitNs, wallMs) },
      commits: { perS: Math.round(commits / (wallMs / 1000)), writesEach: +((c1.sum - c0.sum) / commits).toFixed(1), msEach: +(((s1.sum - s0.sum) * 1000) / commits).toFixed(2) },
      gatewaySlowerPct: { '10ms': overPct('0.01'), '20ms': overPct('0.02'), '50ms': overPct('0.05') },
      clientCpuMsPerWebhook: per(load.clientCpuS * 1000),
      sinkCpuMsPerWebhook: per((own.user + own.system) / 1000),
      slackCallsPerWebhook: +((sink.calls() - calls0) / Math.max(1, load.allOk)).toFixed(2),
      outboxDepthAfter: outboxDepth(m1),
      failures: load.failures,
    };
    console.log(JSON.stringify(line));
  }
} finally {
  await gateway.stop();
  await sink.close();
  if (process.env.PROBE_KEEP) console.log(`kept ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}

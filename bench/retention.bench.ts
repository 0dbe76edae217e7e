/**
 * @module bench/retention
 * What history retention (HISTORY_RETENTION) costs: a SQLite database of 20,000 groups with
 * three webhooks each (1, 2 and 3 alerts: 60,000 delivered notifications, 120,000 alert rows),
 * written through the real pipeline, three quarters of the groups then marked resolved and
 * everything made two days old. With a retention of one day, a pass deletes the resolved groups
 * and every notification.
 * 1. In this process, on the store of src/: the first pass's time and rows a second, its longest
 *    step (a step is a write on the writer thread: webhooks wait behind it), and a second pass
 *    over what is left (nothing to delete, 5,000 firing groups walked: the steady cost).
 * 2. In the gateway under test, on two copies of that database: the ack latency at the fixed
 *    500 webhooks/s × 10 alerts of the ingest benchmark, with `HISTORY_RETENTION=1d` (its first
 *    pass starts 4 s into the load) and without (the same load, no pass).
 */
import { readFileSync, statSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pruneHistoryPass, STEP_LIMIT } from '../src/retention/history-pruner.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { PruneStep, Store } from '../src/store/store.js';
import { BENCH_WEBHOOK_TOKEN, benchEnv, writeEstate } from './support/estate.js';
import { startBenchGateway } from './support/gateway-process.js';
import { prefill } from './support/prefill.js';
import { FIXED_RATE_MAX_IN_FLIGHT, runLoad } from './support/run-load.js';
import { startSlackSink } from './support/slack-sink.js';
import { round } from './support/stats.js';
import type { Benchmark, BenchFigure } from './types.js';

const GROUPS = 20_000;
const WEBHOOKS_PER_GROUP = 3;
const DAY = 86_400_000;
const FIXED_RATE = 500;
const FIXED_BATCH = 10;
/** When the gateway's first pass starts: inside the load's measured part (after 2 s of warm-up). */
const FIRST_PASS_MS = 4_000;

/** The store with each `pruneHistory` step timed. */
function timedSteps(store: Store): { store: Store; steps: number[] } {
  const steps: number[] = [];
  const timed = Object.create(store) as Store;
  timed.pruneHistory = async (step: PruneStep) => {
    const started = process.hrtime.bigint();
    try {
      return await store.pruneHistory(step);
    } finally {
      steps.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  };
  return { store: timed, steps };
}

async function pass(store: Store): Promise<{ seconds: number; notifications: number; groups: number; steps: number[] }> {
  const timed = timedSteps(store);
  const started = process.hrtime.bigint();
  const totals = await pruneHistoryPass({ store: timed.store, retentionMs: DAY });
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, notifications: totals.notifications, groups: totals.groups, steps: timed.steps };
}

interface AckRun {
  p50: number;
  p99: number;
  max: number;
  /** What the first pass did, from the gateway's log. */
  pass: string;
}

/** Fixed-rate webhooks to a gateway on a copy of `dbFile` with `env`; its first pass, if any, from its log. */
async function ackLatency(dir: string, dbFile: string, env: Record<string, string>, variant: string): Promise<AckRun> {
  const copy = path.join(dir, `ack-${variant}.db`);
  await copyFile(dbFile, copy);
  const logFile = path.join(dir, `gateway-${variant}.log`);
  const sink = await startSlackSink();
  try {
    const gw = await startBenchGateway({ env: { ...benchEnv({ dbFile: copy, configDir: dir, slackUrl: sink.url }), ...env }, logFile });
    try {
      process.stderr.write(`bench retention: ${FIXED_RATE} webhooks/s ${variant} a retention pass
`);
      const load = await runLoad({
        url: `${gw.url}/webhooks/alertmanager`,
        headers: { authorization: `Bearer ${BENCH_WEBHOOK_TOKEN}` },
        format: 'webhook',
        batch: FIXED_BATCH,
        run: `ack-${variant}`,
        rate: FIXED_RATE,
        maxInFlight: FIXED_RATE_MAX_IN_FLIGHT,
        warmupMs: 2_000,
        durationMs: 12_000,
        expectStatus: 202,
      });
      if (load.ok !== load.requests) throw new Error(`${load.requests - load.ok} webhooks failed: ${JSON.stringify(load.failures)}`);
      return { ...load.latencyMs, pass: firstPass(logFile) };
    } finally {
      await gw.stop();
    }
  } finally {
    await sink.close();
  }
}

/** The gateway's first "history pruned" log line, in words. */
function firstPass(logFile: string): string {
  const line = readFileSync(logFile, 'utf8')
    .split('\n')
    .find((l) => l.includes('"history pruned"'));
  if (!line) return 'no pass completed during the load';
  const p = JSON.parse(line) as { notifications: number; groups: number; steps: number; seconds: number };
  return `the pass deleted ${p.notifications} notifications and ${p.groups} groups in ${p.steps} steps over ${round(p.seconds, 1)} s`;
}

export const retentionBenchmark: Benchmark = {
  id: 'retention',
  title: 'history retention',
  async run(): Promise<BenchFigure[]> {
    const dir = await mkdtemp(path.join(tmpdir(), 'alertgate-bench-retention-'));
    try {
      await writeEstate(dir, { stormLimit: 1_000_000 });
      const dbFile = path.join(dir, 'retention.db');
      process.stderr.write(`bench retention: writing ${GROUPS} groups × ${WEBHOOKS_PER_GROUP} webhooks\n`);
      await prefill({ dbFile, configDir: dir, run: 'ret', groups: GROUPS, webhooksPerGroup: WEBHOOKS_PER_GROUP, markSent: true });
      const db = new Database(dbFile);
      try {
        // Three groups in four resolved, as Alertmanager's last webhook of each would leave them.
        db.prepare("UPDATE groups SET status = 'resolved' WHERE seq % 4 <> 0 AND group_key LIKE '{}:{bench_group=%'").run();
        db.prepare("UPDATE alerts SET status = 'resolved' WHERE group_seq IN (SELECT seq FROM groups WHERE status = 'resolved')").run();
        // Two days old: a one-day retention removes them.
        db.prepare(`UPDATE notifications SET created_at = created_at - ${2 * DAY}, sent_at = sent_at - ${2 * DAY}`).run();
        db.prepare(
          `UPDATE groups SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', updated_at, '-2 days'), last_notification_at = last_notification_at - ${2 * DAY}`,
        ).run();
      } finally {
        db.close();
      }
      const sizeBefore = statSync(dbFile).size;
      const withPass = await ackLatency(dir, dbFile, { HISTORY_RETENTION: '1d', HISTORY_PRUNE_TICK_MS: String(FIRST_PASS_MS) }, 'with');
      const without = await ackLatency(dir, dbFile, {}, 'without');
      const store = openSqliteStore(dbFile);
      let first: Awaited<ReturnType<typeof pass>>;
      let second: Awaited<ReturnType<typeof pass>>;
      try {
        // The writer thread's first write starts it (~0.3 s): not the pass's.
        await store.claimDue({ owner: 'bench', now: new Date(0), limit: 1, leaseMs: 1000 });
        first = await pass(store);
        second = await pass(store);
      } finally {
        await store.close();
      }
      const rows = first.notifications + first.groups;
      const longest = (s: number[]) => round(Math.max(...s), 1);
      const notes = `${first.notifications} notifications and ${first.groups} groups (with their alerts) deleted in ${first.steps.length} steps of up to ${STEP_LIMIT} rows; database ${(sizeBefore / 2 ** 20).toFixed(0)} MiB before (freed pages are reused, the file does not shrink)`;
      return [
        { name: `retention: first pass over ${GROUPS} groups × ${WEBHOOKS_PER_GROUP} webhooks, 3/4 resolved`, value: round(first.seconds, 2), unit: 's', notes },
        { name: 'retention: first pass, rows deleted per second', value: Math.round(rows / first.seconds), unit: 'rows/s' },
        { name: 'retention: first pass, longest step (one write; webhooks wait behind it)', value: longest(first.steps), unit: 'ms' },
        {
          name: `retention: a later pass (nothing to delete, ${GROUPS / 4} firing groups walked)`,
          value: round(second.seconds, 3),
          unit: 's',
          notes: `${second.steps.length} steps, longest ${longest(second.steps)} ms; deleted ${second.notifications + second.groups}`,
        },
        {
          name: `retention: ack latency at ${FIXED_RATE} webhooks/s × ${FIXED_BATCH} alerts while the first pass runs: p50 / p99`,
          value: round(withPass.p99, 2),
          unit: 'ms (p99)',
          notes: `p50 ${round(withPass.p50, 2)} ms, p99 ${round(withPass.p99, 2)} ms, max ${round(withPass.max, 1)} ms; ${withPass.pass}. A fresh gateway on a ${(sizeBefore / 2 ** 20).toFixed(0)} MiB database, without the ingest benchmark's 30 s of warm-up: compare with the next figure, not with the ingest target`,
        },
        {
          name: `retention: the same load on a copy of the database, without retention: p99`,
          value: round(without.p99, 2),
          unit: 'ms',
          notes: `p50 ${round(without.p50, 2)} ms, max ${round(without.max, 1)} ms`,
        },
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

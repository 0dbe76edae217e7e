/**
 * @module bench/uptime
 * An uptime report for 200 services × 90 days (one team) against a real Prometheus serving 90
 * days of 1-minute probe samples per service (26 million samples, three outages each, so the
 * incident queries run too). Measures `report()` end to end: range and days, the daily
 * sum/count queries, incident queries for the days with downtime, and the computation.
 *
 * Building the TSDB (promtool, a couple of minutes) happens once: the blocks are cached in the
 * temp dir and copied for each run, so Prometheus starts on a fresh copy.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { findBinary } from '../src/testing/binaries.js';
import { fileChecksSource } from '../src/uptime/checks-source.js';
import { createUptimeService } from '../src/uptime/service.js';
import { createThanosClient } from '../src/uptime/thanos-client.js';
import { buildTsdb, type GeneratedSeries } from '../test/support/prometheus-tsdb.js';
import { startPrometheus } from '../test/support/prometheus-server.js';
import type { Benchmark, BenchFigure } from './types.js';

const SERVICES = 200;
const DAYS = 90;
const INTERVAL_MS = 60_000;
const FROM = Date.UTC(2026, 7, 3);
const TO = FROM + DAYS * 86_400_000;
const TARGET_SECONDS = 5;
const WARM_RUNS = 3;
const CACHE = path.join(tmpdir(), `alertgate-bench-uptime-v1-${SERVICES}x${DAYS}`);

const instance = (i: number) => `https://svc-${String(i).padStart(3, '0')}.example`;

function series(i: number): GeneratedSeries {
  // Three outages per service on different days and hours, 5 to 34 minutes long.
  const outages = [0, 1, 2].map((k) => {
    const start = FROM + ((i * 7 + k * 29) % DAYS) * 86_400_000 + ((i + k * 5) % 24) * 3_600_000;
    return [start, start + (5 + ((i + k) % 30)) * 60_000] as const;
  });
  const times: number[] = [];
  const values: number[] = [];
  for (let t = FROM + (i % 60) * 1000; t < TO; t += INTERVAL_MS) {
    times.push(t);
    values.push(outages.some(([a, b]) => t >= a && t < b) ? 0 : 1);
  }
  return { metric: 'probe_success', labels: { job: 'blackbox', instance: instance(i) }, times, values };
}

async function cachedBlocks(promtool: string): Promise<string> {
  const blocks = path.join(CACHE, 'blocks');
  if (existsSync(blocks)) return blocks;
  await mkdir(CACHE, { recursive: true });
  const work = await mkdtemp(path.join(CACHE, 'build-'));
  try {
    process.stderr.write(`bench uptime: building ${SERVICES} × ${DAYS} days of samples with promtool (once; cached in ${CACHE}) …\n`);
    // One service's samples at a time, so memory stays small.
    function* all(): Generator<GeneratedSeries> {
      for (let i = 0; i < SERVICES; i++) yield series(i);
    }
    await buildTsdb(promtool, work, path.join(work, 'blocks'), all());
    await rm(path.join(work, 'samples.om.txt'), { force: true });
    await rename(path.join(work, 'blocks'), blocks);
    return blocks;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function configDir(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'routes'), { recursive: true });
  await mkdir(path.join(dir, 'rules'), { recursive: true });
  await writeFile(path.join(dir, 'routes', 'bench.yaml'), 'team: bench\nslack:\n  channel: "#bench"\nroutes:\n  - receivers: [slack]\n');
  await writeFile(path.join(dir, 'routes', 'platform.yaml'), 'team: platform\nslack:\n  channel: "#platform"\nroutes:\n  - receivers: [slack]\n');
  const checks = Array.from({ length: SERVICES }, (_, i) =>
    [`  - service: svc-${String(i).padStart(3, '0')}`, `    up: 'probe_success{job="blackbox",instance="${instance(i)}"}'`, '    objective: 99.9'].join('\n'),
  );
  await writeFile(path.join(dir, 'rules', 'bench.yaml'), `team: bench\nnamespace: bench\nuptime:\n${checks.join('\n')}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export const uptimeBenchmark: Benchmark = {
  id: 'uptime',
  title: `Uptime report: ${SERVICES} services × ${DAYS} days against a real Prometheus`,
  async run(): Promise<BenchFigure[]> {
    const promtool = findBinary('promtool');
    const prometheusBin = findBinary('prometheus');
    if (!promtool || !prometheusBin) throw new Error('promtool and prometheus must be on PATH (Debian package prometheus)');
    const buildStart = performance.now();
    const blocks = await cachedBlocks(promtool);
    const buildSeconds = (performance.now() - buildStart) / 1000;

    const dir = await mkdtemp(path.join(tmpdir(), 'alertgate-bench-uptime-run-'));
    const prom = await (async () => {
      await cp(blocks, path.join(dir, 'data'), { recursive: true });
      return startPrometheus(prometheusBin, dir, path.join(dir, 'data'), 120_000);
    })();
    try {
      await configDir(path.join(dir, 'config'));
      let requests = 0;
      const counting: typeof fetch = (input, init) => {
        requests += 1;
        return fetch(input, init);
      };
      const service = createUptimeService({
        client: createThanosClient({ url: prom.url, fetch: counting, timeoutMs: 120_000 }),
        checks: fileChecksSource({ configDir: path.join(dir, 'config'), env: {}, routeTeams: () => ['bench', 'platform'] }),
      });
      const request = { team: 'bench', from: new Date(FROM).toISOString().slice(0, 10), to: new Date(TO).toISOString().slice(0, 10) };

      const t0 = performance.now();
      const report = await service.report(request);
      const cold = (performance.now() - t0) / 1000;
      const coldRequests = requests;
      const incidents = report.services.reduce((n, s) => n + s.incidents.length, 0);
      if (report.services.length !== SERVICES || report.services.some((s) => s.daily.length !== DAYS || s.uptimePercent === null)) {
        throw new Error('the report does not cover every service and day');
      }
      if (incidents !== SERVICES * 3) throw new Error(`expected ${SERVICES * 3} incidents, found ${incidents}`);

      const warm: number[] = [];
      for (let r = 0; r < WARM_RUNS; r++) {
        const t = performance.now();
        await service.report(request);
        warm.push((performance.now() - t) / 1000);
      }
      const samples = SERVICES * DAYS * (86_400_000 / INTERVAL_MS);
      const notes = `${(samples / 1e6).toFixed(1)} M samples, ${coldRequests} queries per report, ${incidents} incidents; TSDB ${
        buildSeconds > 5 ? `built in ${buildSeconds.toFixed(0)} s` : 'from cache'
      }; prometheus ${spawnSync(prometheusBin, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]?.split(' ')[2] ?? '?'}`;
      return [
        { name: `uptime: ${SERVICES} services × ${DAYS} days, first report`, value: cold, unit: 's', target: `< ${TARGET_SECONDS} s`, met: cold < TARGET_SECONDS, notes },
        { name: `uptime: ${SERVICES} services × ${DAYS} days, median of ${WARM_RUNS} more`, value: median(warm), unit: 's', target: `< ${TARGET_SECONDS} s`, met: median(warm) < TARGET_SECONDS },
      ];
    } finally {
      await prom.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

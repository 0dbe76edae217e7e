/**
 * @module bench/generate
 * `alertgate generate` at platform scale: 500 teams × 20 alerts × 3 SLOs, written as real
 * `rules/<team>.yaml` files in a temp dir. Measures validation + generation (`loadTeamSpecs`:
 * read, YAML, schema, PromQL syntax, cross-team checks; then `generateOutputs`) and generation
 * alone. Each figure is the median of several runs after one warm-up (the CLI runs once, but a
 * cold JIT on a shared 2-core machine is noise, not the code).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadTeamSpecs } from '../src/config/load-team-specs.js';
import { formatSourceError } from '../src/config/source-error.js';
import { generateOutputs } from '../src/generate/outputs.js';
import type { Benchmark, BenchFigure } from './types.js';

const TEAMS = 500;
const ALERTS = 20;
const SLOS = 3;
const RUNS = 5;
const TARGET_SECONDS = 2;

/** One realistic team rules file: alerts of a few shapes, SLOs with multi-line expressions. */
export function syntheticRulesFile(team: string): string {
  const alerts = Array.from({ length: ALERTS }, (_, i) => {
    const job = `${team}-svc-${i % 5}`;
    const exprs = [
      `sum by (instance) (rate(http_requests_total{job="${job}",code=~"5.."}[5m])) / sum by (instance) (rate(http_requests_total{job="${job}"}[5m])) > 0.05`,
      `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="${job}"}[5m]))) > ${1 + (i % 3)}`,
      `sum(up{job="${job}"}) == 0`,
      `max by (queue) (queue_depth{job="${job}"}) > 1000`,
    ];
    return [
      `  - name: ${team.replace(/[^a-z0-9]/g, '_')}_alert_${i}`,
      `    expr: '${exprs[i % exprs.length]!}'`,
      ...(i % 4 === 0 ? [] : [`    for: ${5 * (i % 4)}m`]),
      `    severity: ${['critical', 'warning', 'info'][i % 3]!}`,
      `    summary: "Alert ${i} of ${team}"`,
      `    runbook: https://runbooks.example/${team}/alert-${i}`,
      ...(i % 2 === 0 ? ['    labels:', `      service: ${job}`] : []),
    ].join('\n');
  });
  const slos = Array.from({ length: SLOS }, (_, i) =>
    [
      `  - name: ${team}-slo-${i}`,
      `    objective: ${[99.9, 99.5, 99][i % 3]!}`,
      '    window: 30d',
      `    runbook: https://runbooks.example/${team}/slo-${i}`,
      '    errors: |',
      `      sum(rate(http_requests_total{job="${team}-svc-${i}",code=~"5.."}[{{window}}]))`,
      `    total: sum(rate(http_requests_total{job="${team}-svc-${i}"}[{{window}}]))`,
    ].join('\n'),
  );
  return `team: ${team}\nnamespace: ${team}-prod\nalerts:\n${alerts.join('\n')}\nslos:\n${slos.join('\n')}\n`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall-clock seconds (the figure) and CPU seconds of this process (context on a busy machine). */
async function timed<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; cpuSeconds: number; value: T }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6, value };
}

export const generateBenchmark: Benchmark = {
  id: 'generate',
  title: `generate: ${TEAMS} teams × ${ALERTS} alerts × ${SLOS} SLOs`,
  async run(): Promise<BenchFigure[]> {
    const dir = await mkdtemp(path.join(tmpdir(), 'alertgate-bench-gen-'));
    try {
      const teams = Array.from({ length: TEAMS }, (_, i) => `team-${String(i).padStart(3, '0')}`);
      await mkdir(path.join(dir, 'rules'));
      await Promise.all(teams.map((t) => writeFile(path.join(dir, 'rules', `${t}.yaml`), syntheticRulesFile(t))));
      const routeTeams = new Set(teams);

      const full = async () => {
        const loaded = await loadTeamSpecs(dir, { routeTeams });
        if (!loaded.specs) throw new Error(`synthetic config invalid: ${loaded.errors.slice(0, 3).map(formatSourceError).join('; ')}`);
        return { specs: loaded.specs, outputs: generateOutputs(loaded.specs) };
      };
      const first = await timed(full);
      const { specs, outputs } = first.value;
      if (outputs.size !== TEAMS * 2) throw new Error(`expected ${TEAMS * 2} files, got ${outputs.size}`);

      const fullRuns: Array<{ seconds: number; cpuSeconds: number }> = [];
      const genRuns: Array<{ seconds: number; cpuSeconds: number }> = [];
      for (let i = 0; i < RUNS; i++) {
        fullRuns.push(await timed(full));
        genRuns.push(await timed(() => generateOutputs(specs)));
      }
      const bytes = [...outputs.values()].reduce((n, text) => n + Buffer.byteLength(text), 0);
      const figure = (name: string, seconds: number, notes: string): BenchFigure => ({
        name: `${this.title}: ${name}`,
        value: seconds,
        unit: 's',
        target: `< ${TARGET_SECONDS} s`,
        met: seconds < TARGET_SECONDS,
        notes,
      });
      const load = `load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`;
      const runs = (rs: Array<{ seconds: number; cpuSeconds: number }>) =>
        `wall ${rs.map((r) => r.seconds.toFixed(2)).join(', ')} s; CPU ${rs.map((r) => r.cpuSeconds.toFixed(2)).join(', ')} s; ${load}`;
      return [
        figure('validation + generation (median)', median(fullRuns.map((r) => r.seconds)), runs(fullRuns)),
        figure('validation + generation (first, cold)', first.seconds, `first run in a fresh process; CPU ${first.cpuSeconds.toFixed(2)} s`),
        figure('generation alone (median)', median(genRuns.map((r) => r.seconds)), `${runs(genRuns)}; ${outputs.size} files, ${(bytes / 2 ** 20).toFixed(1)} MiB`),
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

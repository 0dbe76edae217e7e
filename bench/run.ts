/**
 * `npm run bench [-- id …]`: runs every registered benchmark (or the named ones), prints a
 * Markdown table and writes bench/results.json and bench/results.md, noting machine and versions.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchmarks } from './registry.js';
import type { BenchFigure } from './types.js';

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim();
  } catch {
    return 'not installed';
  }
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const selected = wanted.length ? benchmarks.filter((b) => wanted.includes(b.id)) : benchmarks;
  if (wanted.length && selected.length !== wanted.length) {
    const known = benchmarks.map((b) => b.id).join(', ');
    throw new Error(`unknown benchmark in "${wanted.join(' ')}"; known: ${known}`);
  }
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    prometheus: version('prometheus', ['--version']),
    alertmanager: version('prometheus-alertmanager', ['--version']),
  };
  const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const started = { date: new Date().toISOString(), loadAverage: loadAverage() };
  const results: { id: string; title: string; figures: BenchFigure[]; error?: string }[] = [];
  for (const b of selected) {
    process.stderr.write(`bench: ${b.id} …\n`);
    try {
      results.push({ id: b.id, title: b.title, figures: await b.run() });
    } catch (err) {
      results.push({ id: b.id, title: b.title, figures: [], error: err instanceof Error ? err.message : String(err) });
    }
  }
  const rows = results.flatMap((r) =>
    r.error
      ? [`| ${r.title} | error: ${r.error.replace(/\|/g, '\\|')} | | |`]
      : r.figures.map((f) => `| ${f.name} | ${Number.isInteger(f.value) ? f.value : f.value.toFixed(2)} ${f.unit} | ${f.target ?? ''} | ${f.met === undefined ? '' : f.met ? 'yes' : 'NO'} |`),
  );
  const ended = { date: new Date().toISOString(), loadAverage: loadAverage() };
  // The machine may be shared: the load around the run says how much the figures can be trusted.
  const notes = results.flatMap((r) => r.figures.filter((f) => f.notes).map((f) => `- ${f.name}: ${f.notes}`));
  const md = [
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB; Node ${machine.node}; ${machine.prometheus}; ${machine.alertmanager}`,
    `Run: ${started.date} to ${ended.date}; load average (1, 5, 15 min) ${started.loadAverage} at the start, ${ended.loadAverage} at the end`,
    '',
    '| benchmark | measured | target | met |',
    '|---|---|---|---|',
    ...rows,
    ...(notes.length ? ['', 'Notes:', '', ...notes] : []),
  ].join('\n');
  process.stdout.write(`${md}\n`);
  const dir = fileURLToPath(new URL('.', import.meta.url));
  writeFileSync(`${dir}results.json`, `${JSON.stringify({ date: ended.date, started, ended, machine, results }, null, 2)}\n`);
  writeFileSync(`${dir}results.md`, `${md}\n`);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

await main();

/**
 * @module bench/support/compare-summary
 * Sums up the rounds `bench/compare.ts` collected from `bench/probe.ts` for two builds. Medians,
 * not means: one round on a noisy stretch of a shared guest moves a mean a lot. The gateway's CPU
 * per webhook is also given divided by the load client's, which takes out part of the machine's
 * drift (the client's work per request is the same for both builds; its CPU per request moves
 * with the machine's speed).
 */

/** The fields of one `bench/probe.ts` JSON line that a comparison reads. */
export interface ProbeRound {
  webhooksPerS: number;
  p99Ms: number;
  p50Ms?: number;
  cpuMsPerWebhook: { eventLoop: number; writer: number; others: number };
  clientCpuMsPerWebhook: number;
}

export interface BuildSummary {
  label: string;
  rounds: number;
  webhooksPerS: number;
  p99Ms: number;
  eventLoopMs: number;
  writerMs: number;
  /** Gateway CPU per webhook (all its threads) ÷ the load client's CPU per webhook. */
  cpuPerClientCpu: number;
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(label: string, rounds: ProbeRound[]): BuildSummary {
  const of = (pick: (r: ProbeRound) => number) => median(rounds.map(pick));
  return {
    label,
    rounds: rounds.length,
    webhooksPerS: of((r) => r.webhooksPerS),
    p99Ms: of((r) => r.p99Ms),
    eventLoopMs: of((r) => r.cpuMsPerWebhook.eventLoop),
    writerMs: of((r) => r.cpuMsPerWebhook.writer),
    cpuPerClientCpu: of((r) => (r.cpuMsPerWebhook.eventLoop + r.cpuMsPerWebhook.writer + r.cpuMsPerWebhook.others) / r.clientCpuMsPerWebhook),
  };
}

/** A Markdown table of both builds' medians and B ÷ A for each figure. */
export function compareTable(a: BuildSummary, b: BuildSummary): string {
  const rows: [string, (s: BuildSummary) => number, number][] = [
    ['webhooks/s', (s) => s.webhooksPerS, 0],
    ['client p99, ms', (s) => s.p99Ms, 1],
    ['event loop CPU per webhook, ms', (s) => s.eventLoopMs, 3],
    ['writer CPU per webhook, ms', (s) => s.writerMs, 3],
    ['gateway CPU ÷ load client CPU', (s) => s.cpuPerClientCpu, 2],
  ];
  const lines = [
    `| median of ${a.rounds} / ${b.rounds} rounds | A: ${a.label} | B: ${b.label} | B ÷ A |`,
    '|---|---|---|---|',
    ...rows.map(([name, pick, digits]) => {
      const x = pick(a);
      const y = pick(b);
      return `| ${name} | ${x.toFixed(digits)} | ${y.toFixed(digits)} | ${x === 0 ? '–' : (y / x).toFixed(3)} |`;
    }),
  ];
  return lines.join('\n');
}

/**
 * @module bench/support/transport-load
 * Run as its own process (`node --import tsx bench/support/transport-load.ts '<json>'`): calls
 * the gateway's Slack transport (src/delivery/slack/transport.ts) `concurrency` at a time
 * against a Slack stand-in for `durationMs` after `warmupMs`, and prints one JSON line with the
 * calls made and this process's CPU per call. Alone in its process, that CPU is the transport's
 * own cost (the stand-in runs in the bench's process), the share of a delivery's event-loop time
 * that is HTTP.
 */
import { createSlackTransport } from '../../src/delivery/slack/transport.js';

export interface TransportLoadSpec {
  apiUrl: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface TransportLoadResult {
  calls: number;
  failed: number;
  cpuMsPerCall: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as TransportLoadSpec;
const transport = createSlackTransport({ token: 'xoxb-bench-token', apiUrl: spec.apiUrl });
// A typical new-group message's size (render output for a one-alert group is ~1.2 KB).
const args = { channel: '#payments-alerts', text: 'x'.repeat(1_000), unfurl_links: false, unfurl_media: false };

async function loop(until: number, counts: { calls: number; failed: number }): Promise<void> {
  while (performance.now() < until) {
    const answer = await transport.call({ method: 'chat.postMessage', args });
    counts.calls += 1;
    if (!answer.ok) counts.failed += 1;
  }
}

const runFor = async (ms: number) => {
  const counts = { calls: 0, failed: 0 };
  const until = performance.now() + ms;
  await Promise.all(Array.from({ length: spec.concurrency }, () => loop(until, counts)));
  return counts;
};

await runFor(spec.warmupMs);
const cpu0 = process.cpuUsage();
const counts = await runFor(spec.durationMs);
const cpu = process.cpuUsage(cpu0);
const result: TransportLoadResult = { ...counts, cpuMsPerCall: (cpu.user + cpu.system) / 1000 / Math.max(1, counts.calls) };
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);

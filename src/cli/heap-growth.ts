/**
 * @module cli/heap-growth
 * How far V8 lets the old generation grow past what the last full collection kept, for the
 * long-running gateway. Under the image's 128 MiB old-space cap V8 chose ~1.4 × here: with ~22 MB
 * live at 500 webhooks/s it ran a full mark-compact every 0.5–1 s (110 in a 50 s run), each a
 * 3–14 ms pause plus incremental steps of up to 11 ms on the event loop, and those pauses were
 * the ack latency's tail. At 2 × (this setting): 38 full collections, ack p99 30 → 25 ms in the
 * first 10 s after heavy traffic and 16 → 13 ms after, and the list-paging RSS peak within its
 * run-to-run range (188 MB; 176–191 MB without). docs/performance.md has the runs.
 *
 * NODE_OPTIONS cannot carry this V8 flag, so `serve` sets it at start; a `--heap-growing-percent`
 * given on node's own command line wins.
 */
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 100;

export function setHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent'))) return false;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}

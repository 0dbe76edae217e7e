/**
 * @module bench/registry
 * Every benchmark `npm run bench` runs, in order. Add new ones here.
 */
import type { Benchmark } from './types.js';
import { generateBenchmark } from './generate.bench.js';
import { uptimeBenchmark } from './uptime.bench.js';
import { ingestBenchmark } from './ingest.bench.js';
import { deliveryBenchmark } from './delivery.bench.js';
import { memoryBenchmark } from './memory.bench.js';
import { stormBenchmark } from './storm.bench.js';
import { retentionBenchmark } from './retention.bench.js';

export const benchmarks: Benchmark[] = [generateBenchmark, uptimeBenchmark, ingestBenchmark, stormBenchmark, deliveryBenchmark, memoryBenchmark, retentionBenchmark];

/**
 * @module bench/registry
 * Every benchmark `npm run bench` runs, in order. Add new ones here.
 */
import type { Benchmark } from './types.js';

export const benchmarks: Benchmark[] = [];

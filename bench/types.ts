/**
 * @module bench/types
 * One shape for every benchmark's figures, so `npm run bench` reports them in one table.
 */

export interface BenchFigure {
  /** Benchmark and measure, e.g. "generate: 500 teams × 20 alerts × 3 SLOs". */
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "< 2 s". */
  target?: string;
  /** Whether the target was met (undefined when there is no target). */
  met?: boolean;
  notes?: string;
}

export interface Benchmark {
  /** Short id, selectable with `npm run bench -- <id>`. */
  id: string;
  title: string;
  run(): Promise<BenchFigure[]>;
}

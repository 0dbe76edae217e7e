/**
 * @module uptime/interval-counts
 * A probe's interval from its sample counts per window alone, for data that keeps no sample
 * times (Thanos' 5m and 1h blocks keep per-bucket counts and sums). An interval that divides the
 * window gives every window of a series sampled throughout the same count; one that does not
 * (7 minutes in an hour: 8.57) gives two neighbouring counts, 8 and 9, and the median of them
 * was read as the interval (400 s; 720 s for 11 minutes, which measured a day with a 2-hour gap
 * whole). Their ratio over a run of consecutive windows tells it instead: n windows of W holding N
 * samples of an interval I hold N = n × W / I to within one sample, so I lies in
 * [n W / (N + 1), n W / (N − 1)]. Of the whole seconds there, those a probe would have given
 * exactly these counts with, at some phase, are kept: the one left, or above a minute the one
 * whole minute among them (probes run every so many seconds or minutes), is the interval.
 *
 * Counts that could be those of a probe dividing the window that missed a few samples (a few
 * windows hold one fewer than the commonest count: a gap only takes samples away) are read so,
 * as the median read them, unless a whole minute fits them; so are counts that only fall short
 * in a quarter of the windows or more where no whole second fits them, and where only an odd one
 * does, they are read as the whole minute dividing the window, approximate. Otherwise, where the counts cannot
 * tell the interval, the nearest whole second that fits them is the interval, approximate, and
 * the caller warns.
 */

export interface CountsReading {
  intervalMs: number;
  /** Set when the counts do not tell the interval to the whole second or minute: the span they allow (ms). */
  approximate?: { lowMs: number; highMs: number };
}

/** How often each count occurs. */
function tally(counts: readonly number[]): Map<number, number> {
  const freq = new Map<number, number>();
  for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
  return freq;
}

/**
 * The counts of the longest run of consecutive windows whose counts are all in `full`. A window
 * next to one without samples is left out: a gap may have cut it.
 */
function longestRun(counts: ReadonlyArray<number | undefined>, full: ReadonlySet<number>): number[] {
  let best: number[] = [];
  let run: number[] = [];
  const empty = (j: number) => j >= 0 && j < counts.length && !(counts[j]! > 0);
  counts.forEach((c, j) => {
    run = c !== undefined && full.has(c) && !empty(j - 1) && !empty(j + 1) ? [...run, c] : [];
    if (run.length > best.length) best = run;
  });
  return best;
}

/** Whether a probe every `intervalMs` gives exactly `counts` in consecutive windows of `windowMs`, at some phase. */
function fitsCounts(counts: readonly number[], windowMs: number, intervalMs: number): boolean {
  // Samples before the window edge at t: ⌈(t − phase) / interval⌉. With whole-second interval
  // and window, the counts change only at whole-second phases, so those are all there are.
  const before = (t: number, phase: number) => Math.ceil((t - phase) / intervalMs);
  for (let phase = 0; phase < intervalMs; phase += 1000) {
    if (counts.every((c, j) => before((j + 1) * windowMs, phase) - before(j * windowMs, phase) === c)) return true;
  }
  return false;
}

/** At most this many whole seconds are tried against the counts (an hour's worth). */
const MAX_CANDIDATES = 3600;

/**
 * The interval from one series' counts in consecutive windows of `windowMs` (undefined: a window
 * without samples); undefined when the counts hold fewer than two samples a window.
 */
export function intervalFromCounts(counts: ReadonlyArray<number | undefined>, windowMs: number): CountsReading | undefined {
  const present = counts.filter((c): c is number => c !== undefined && c > 0);
  if (present.length === 0) return undefined;
  const freq = tally(present);
  const commonest = [...freq].reduce((a, b) => (b[1] > a[1] || (b[1] === a[1] && b[0] > a[0]) ? b : a))[0];
  if (commonest < 2) return undefined;
  const above = freq.get(commonest + 1) ?? 0;
  const below = freq.get(commonest - 1) ?? 0;
  const divides = { intervalMs: windowMs / commonest };
  if (above === 0 && below === 0) return divides;
  // The two counts of an interval that does not divide the window: the commonest and its commoner neighbour.
  const run = longestRun(counts, new Set([commonest, above >= below ? commonest + 1 : commonest - 1]));
  // More samples than the commonest count cannot be a gap's doing (as often as fewer, they are
  // jitter moving a sample across an edge), nor fewer in a quarter of the windows or more. Fewer
  // in some windows can be samples a probe dividing the window missed: a 5-minute probe missing
  // one in 22 hours gives counts a 301 s one gives too, so there only a whole minute is believed.
  const evident = above > below || below * 4 >= present.length;
  if (run.length === 0) return evident ? { ...divides, approximate: { lowMs: windowMs / (commonest + 1), highMs: windowMs / (commonest - 1) } } : divides;
  const samples = run.reduce((a, c) => a + c, 0);
  const spanMs = run.length * windowMs;
  const lowMs = spanMs / (samples + 1);
  const highMs = spanMs / Math.max(1, samples - 1);
  const pointMs = spanMs / samples;
  // The whole seconds the ratio allows whose probe gives exactly these counts at some phase.
  const first = Math.max(1, Math.ceil(lowMs / 1000));
  const last = Math.floor(highMs / 1000);
  const fitting: number[] = [];
  const tried = last - first < MAX_CANDIDATES;
  if (tried) for (let sec = first; sec <= last; sec++) if (fitsCounts(run, windowMs, sec * 1000)) fitting.push(sec * 1000);
  const minutes = pointMs >= 60_000 ? fitting.filter((ms) => ms % 60_000 === 0) : [];
  // Only fewer than the commonest count (a gap only takes samples away), as evident as it is (a
  // quarter of the windows or more): no whole second gives such counts, a probe dividing the
  // window that missed samples does (a 1-minute probe missing one in 6 of 22 hours was "60 s,
  // approximate", warned as not dividing the hour). Where an odd one fits them and no whole
  // minute does, a whole-minute probe dividing the window that missed samples fits them too (a
  // 10-minute one fits 627 s exactly): the counts cannot tell, so that whole minute, warned.
  if (above === 0 && tried && fitting.length === 0) return divides;
  if (above === 0 && evident && minutes.length === 0 && pointMs >= 60_000 && divides.intervalMs % 60_000 === 0) {
    return { ...divides, approximate: { lowMs: Math.min(divides.intervalMs, ...fitting), highMs: Math.max(divides.intervalMs, ...fitting) } };
  }
  if (fitting.length === 1 && (evident || minutes.length === 1)) return { intervalMs: fitting[0]! };
  if (minutes.length === 1) return { intervalMs: minutes[0]! };
  if (!evident) return divides;
  if (fitting.length === 0) return { intervalMs: Math.max(1000, Math.round(pointMs / 1000) * 1000), approximate: { lowMs, highMs } };
  const nearest = fitting.reduce((a, b) => (Math.abs(b - pointMs) < Math.abs(a - pointMs) ? b : a));
  return { intervalMs: nearest, approximate: { lowMs: fitting[0]!, highMs: fitting.at(-1)! } };
}

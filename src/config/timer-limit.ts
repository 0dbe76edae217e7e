/**
 * @module config/timer-limit
 * Node's timers take at most this many milliseconds; a longer delay fires after 1 ms. Every
 * setting that ends up in a timer is refused above it (config/env.ts, uptime/settings.ts).
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** `ms` if a timer can take it; else an error naming the setting and the value it was given. */
export function withinTimerLimit(name: string, ms: number, given: string | undefined): number {
  if (ms > MAX_TIMER_MS) throw new Error(`${name} must be at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest timer Node keeps), got "${given}"`);
  return ms;
}

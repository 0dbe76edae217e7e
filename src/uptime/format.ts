/**
 * @module uptime/format
 * Shared display rules for people (CLI table, CSV, HTML, Slack): rounding, durations, and the
 * error-budget state in words, so colour is never the only signal and every output agrees.
 */
import { WALL_CLOCK_PARTS, zonedFormatter } from '../model/zoned-formatter.js';
import type { ServiceUptime } from './report-types.js';

/**
 * `99.95%`, with as many decimals as `digits` (trailing zeros kept for alignment); `no data` for
 * null. Rounded down: 99.89996 shown as 99.900% beside an objective of 99.9% marked "below
 * objective" read as a contradiction, and a figure must never look better than it is. The
 * product is first cut to 12 significant digits so that 99.9 (99899.99999999999 × 10⁻³ in
 * binary) is not shown as 99.899%.
 */
export function formatPercent(p: number | null, digits = 3): string {
  if (p === null) return 'no data';
  const scale = 10 ** digits;
  return `${(Math.floor(Number((p * scale).toPrecision(12))) / scale).toFixed(digits)}%`;
}

/** `0s`, `45s`, `22m 0s`, `3h 5m`, `2d 4h`: two units at most, enough to read at a glance. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

export type BudgetLevel = 'ok' | 'warn' | 'bad' | 'none';

export interface BudgetState {
  level: BudgetLevel;
  /** Words that carry the state without colour: "healthy", "at risk", "exhausted", "no data". */
  label: string;
  /** "50.1% left", "overspent by 20.0%". */
  detail: string;
}

/** Below this much budget left a service is "at risk". */
export const AT_RISK_PERCENT = 25;

export function budgetState(s: Pick<ServiceUptime, 'errorBudgetRemainingPercent' | 'measuredSeconds' | 'downSeconds'>): BudgetState {
  const left = s.errorBudgetRemainingPercent;
  if (left === null) {
    if (s.measuredSeconds > 0 && s.downSeconds > 0) return { level: 'bad', label: 'exhausted', detail: 'no budget at a 100% objective' };
    return { level: 'none', label: 'no data', detail: 'nothing measured' };
  }
  if (left < 0) return { level: 'bad', label: 'exhausted', detail: `overspent by ${(-left).toFixed(1)}%` };
  if (left < AT_RISK_PERCENT) return { level: 'warn', label: 'at risk', detail: `${left.toFixed(1)}% left` };
  return { level: 'ok', label: 'healthy', detail: `${left.toFixed(1)}% left` };
}

/** How a day compares with the objective: the bar colour and its words. */
export type DayLevel = 'ok' | 'warn' | 'bad' | 'none';

export function dayLevel(uptime: number | null, objective: number): DayLevel {
  if (uptime === null) return 'none';
  if (uptime >= objective) return 'ok';
  // Below objective but within ten times the allowed downtime: degraded, not an outage day.
  return 100 - uptime <= (100 - objective) * 10 ? 'warn' : 'bad';
}

export const DAY_LEVEL_WORDS: Record<DayLevel, string> = {
  ok: 'met objective',
  warn: 'below objective',
  bad: 'well below objective',
  none: 'no data',
};

/** `2026-10-25 01:50:00 BST`: an instant as the report's readers see it, in the report's zone. */
export function formatLocalTime(iso: string, tz: string): string {
  const f = zonedFormatter('local-time', 'en-GB', tz, { ...WALL_CLOCK_PARTS, timeZoneName: 'short' });
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(iso))) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
}

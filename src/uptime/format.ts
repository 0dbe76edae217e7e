/**
 * @module uptime/format
 * Shared display rules for people (CLI table, CSV, HTML, Slack): rounding, durations, and the
 * error-budget state in words, so colour is never the only signal and every output agrees.
 */
import { WALL_CLOCK_PARTS, zonedFormatter } from '../model/zoned-formatter.js';
import type { DailyUptime, Incident, ServiceUptime } from './report-types.js';

/**
 * `p` rounded down to `digits` decimals: the one rounding rule of every output (page, CLI table,
 * Slack, CSV), so they all show the same digits. Down, toward the worse figure: 99.89996 shown
 * as 99.900% beside an objective of 99.9% marked "below objective" read as a contradiction, and
 * a figure must never look better than it is (a budget of −0.00004% is −0.0001, not 0). The
 * product is first cut to 12 significant digits so that 99.9 (99899.99999999999 × 10⁻³ in
 * binary) is not shown as 99.899%. Never −0.
 */
export function roundDown(p: number, digits: number): number {
  const scale = 10 ** digits;
  const v = Math.floor(Number((p * scale).toPrecision(12))) / scale;
  return v === 0 ? 0 : v;
}

/**
 * `99.95%`, with as many decimals as `digits` (trailing zeros kept for alignment), rounded down
 * (`roundDown`); `no data` for null.
 */
export function formatPercent(p: number | null, digits = 3): string {
  if (p === null) return 'no data';
  return `${roundDown(p, digits).toFixed(digits)}%`;
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
  /** "50.1% left", "overspent by 20.0%", "overspent by <0.1%". */
  detail: string;
}

/**
 * A budget share in words, rounded down like every figure (so 24.96% left, "at risk", is never
 * "25.0% left", and an overspend is never shown smaller than it is); a share under 0.1% is
 * "<0.1%", never "0.0%", which would read as no budget left, or as none overspent.
 */
function budgetDetail(left: number): string {
  if (left < 0) return `overspent by ${-left < 0.1 ? '<0.1' : (-roundDown(left, 1)).toFixed(1)}%`;
  return `${left > 0 && left < 0.1 ? '<0.1' : roundDown(left, 1).toFixed(1)}% left`;
}

/**
 * A service with no sample in the whole range: it has no downtime or incident figures to show,
 * only its no-data time ("down 0s", "No incidents" beside it read as a month 100 % up). The Slack
 * post, the team page and the CLI table say "no data" instead; the CSV leaves its uptime, downtime
 * and budget empty.
 */
export function measuredNothing(s: Pick<ServiceUptime, 'uptimePercent' | 'downSeconds' | 'incidents'>): boolean {
  return s.uptimePercent === null && s.downSeconds === 0 && s.incidents.length === 0;
}

/**
 * A day without a single sample (its uptime null, as the contract has it): its downtime is not
 * known, so the page's day table says "no data" and the CSV leaves the cell empty. "0s" beside it
 * read as a day fully up. A day measured for some of its hours keeps its figures.
 */
export function dayMeasuredNothing(d: Pick<DailyUptime, 'uptimePercent' | 'downSeconds'>): boolean {
  return d.uptimePercent === null && d.downSeconds === 0;
}

/** Below this much budget left a service is "at risk". */
export const AT_RISK_PERCENT = 25;

export function budgetState(s: Pick<ServiceUptime, 'errorBudgetRemainingPercent' | 'measuredSeconds' | 'downSeconds'>): BudgetState {
  const left = s.errorBudgetRemainingPercent;
  if (left === null) {
    if (s.measuredSeconds > 0 && s.downSeconds > 0) return { level: 'bad', label: 'exhausted', detail: 'no budget at a 100% objective' };
    return { level: 'none', label: 'no data', detail: 'nothing measured' };
  }
  if (left < 0) return { level: 'bad', label: 'exhausted', detail: budgetDetail(left) };
  if (left < AT_RISK_PERCENT) return { level: 'warn', label: 'at risk', detail: budgetDetail(left) };
  return { level: 'ok', label: 'healthy', detail: budgetDetail(left) };
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
  const f = zonedFormatter('local-time-era', 'en-GB', tz, { ...WALL_CLOCK_PARTS, era: 'short', timeZoneName: 'short' });
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(iso))) p[part.type] = part.value;
  // Intl writes a year before 1000 short (`50`); the JSON's dates and the form's are four digits.
  // It numbers years BC backwards (1 BC is 1, era BC): their ISO year is 1 − n (0000), as the JSON writes it.
  const year = p.era === 'BC' ? String(1 - Number(p.year)) : p.year!;
  return `${year.padStart(4, '0')}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
}

/**
 * What the page and the CLI table say beside an incident's start and end when the report's range
 * cuts it: that time is the range's edge, not the outage's (a 6-hour outage from 23:30 on the
 * month's last day otherwise read as 30 minutes ending at midnight). Empty when not cut.
 */
export function incidentNotes(i: Incident): { start: string; end: string } {
  return {
    start: i.startedBeforeRange ? '(already down when the range starts)' : '',
    end: i.continuesAfterRange ? '(still down when the range ends)' : '',
  };
}

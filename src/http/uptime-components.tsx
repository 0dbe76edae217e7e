/**
 * @module http/uptime-components
 * Building blocks of the uptime pages (hono/jsx, rendered on the server; every text is escaped
 * by JSX). Daily bars are inline SVG: shapes take their size from SVG attributes and their
 * colour from the stylesheet's classes, so no inline style is needed under the strict CSP.
 */
import type { Child } from 'hono/jsx';
import { budgetState, DAY_LEVEL_WORDS, dayLevel, formatPercent, type BudgetLevel, type DayLevel } from '../uptime/format.js';
import type { ServiceUptime } from '../uptime/report-types.js';
import { REPORT_PERIOD_NAMES, type ReportPeriod } from '../uptime/range.js';
import { parseDate } from '../uptime/time-zone.js';

const SYMBOL: Record<BudgetLevel, string> = { ok: '✓', warn: '!', bad: '✗', none: '–' };

/**
 * `home`: the header's link to all services, with the range and zone of the page (a bare
 * `/uptime` from a London month's team page led to a UTC overview of the last 30 days).
 */
export function Layout(props: { title: string; home?: string; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{props.title}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/uptime/style.css" />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to the report
        </a>
        <header class="top">
          <div class="wrap">
            <a class="brand" href={props.home ?? '/uptime'}>
              alertgate uptime
            </a>
            <span>Service uptime from Thanos, counted sample by sample</span>
          </div>
        </header>
        <main id="main" class="wrap">
          {props.children}
        </main>
        <footer>
          <div class="wrap">
            Uptime = up samples ÷ all samples of each service's probe. Time without samples is “no data”: neither up nor down. Downtime inside maintenance windows is not counted.
          </div>
        </footer>
      </body>
    </html>
  );
}

export function BudgetBadge(props: { service: ServiceUptime }) {
  const b = budgetState(props.service);
  return (
    <>
      <span class={`badge ${b.level}`}>
        {SYMBOL[b.level]} {b.label}
      </span>
      <span class="detail">{b.detail}</span>
    </>
  );
}

const BAR_HEIGHT: Record<DayLevel, number> = { ok: 20, warn: 13, bad: 7, none: 3 };

/** `1 day`, `31 days`: a range of hours is one day ("1 days" before). */
export function daysText(n: number): string {
  return `${n} day${n === 1 ? '' : 's'}`;
}

/** A sentence describing the strip for screen readers (and the note under it). */
export function stripSummary(s: ServiceUptime): string {
  const counts: Record<DayLevel, number> = { ok: 0, warn: 0, bad: 0, none: 0 };
  let worst: { date: string; uptime: number } | undefined;
  for (const d of s.daily) {
    counts[dayLevel(d.uptimePercent, s.objective)] += 1;
    if (d.uptimePercent !== null && (!worst || d.uptimePercent < worst.uptime)) worst = { date: d.date, uptime: d.uptimePercent };
  }
  // Not one day measured: "0 met the objective, 0 below it" read as a month of failures.
  if (s.daily.length > 0 && counts.none === s.daily.length) return `${daysText(s.daily.length)}, none measured (no data)`;
  const below = counts.warn + counts.bad;
  const parts = [`${daysText(s.daily.length)}: ${counts.ok} met the objective`, `${below} below it`];
  if (counts.none) parts.push(`${counts.none} without data`);
  const lowest = worst && worst.uptime < 100 ? `; lowest ${formatPercent(worst.uptime)} on ${worst.date}` : '';
  return `${parts.join(', ')}${lowest}`;
}

/** One bar per day: colour and height both say how the day compares with the objective. */
export function DayStrip(props: { service: ServiceUptime; big?: boolean }) {
  const s = props.service;
  const width = 10;
  const height = 20;
  return (
    <svg
      class={props.big ? 'strip big' : 'strip'}
      viewBox={`0 0 ${Math.max(1, s.daily.length) * width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`Daily uptime of ${s.service}. ${stripSummary(s)}`}
    >
      {s.daily.map((d, i) => {
        const level = dayLevel(d.uptimePercent, s.objective);
        const h = BAR_HEIGHT[level];
        return (
          <rect class={level} x={i * width + 1} y={height - h} width={width - 2} height={h}>
            <title>{`${d.date}: ${formatPercent(d.uptimePercent)} (${DAY_LEVEL_WORDS[level]})`}</title>
          </rect>
        );
      })}
    </svg>
  );
}

export function Legend() {
  const levels: DayLevel[] = ['ok', 'warn', 'bad', 'none'];
  const words: Record<DayLevel, string> = {
    ok: 'tall bar: met the objective',
    warn: 'shorter bar: below the objective',
    bad: 'short bar: far below (over 10× the allowed downtime)',
    none: 'stub: no data',
  };
  return (
    <ul class="legend" aria-label="How to read the daily bars">
      {levels.map((l) => (
        <li>
          <svg viewBox="0 0 10 10" aria-hidden="true">
            <rect class={l} x="0" y="0" width="10" height="10" />
          </svg>
          {words[l]}
        </li>
      ))}
    </ul>
  );
}

export function Warnings(props: { warnings: string[] }) {
  if (props.warnings.length === 0) return null;
  return (
    <div class="warnings" role="status">
      <strong>This report has warnings; figures may be incomplete or inexact:</strong>
      <ul>
        {props.warnings.map((w) => (
          <li>{w}</li>
        ))}
      </ul>
    </div>
  );
}

export const PERIOD_LINKS: ReadonlyArray<{ label: string; period?: string }> = [
  { label: 'Last 30 days' },
  { label: 'Previous month', period: 'previous-month' },
  { label: 'Month to date', period: 'month-to-date' },
  { label: 'Quarter to date', period: 'quarter' },
  { label: 'Previous quarter', period: 'previous-quarter' },
];

/** Every period the pages take, as the period chooser of an error page offers them. */
const PERIOD_LABELS: ReadonlyArray<{ period: ReportPeriod; label: string }> = REPORT_PERIOD_NAMES.map((period) => ({
  period,
  label: PERIOD_LINKS.find((p) => p.period === period)?.label ?? { 'previous-day': 'Previous day', 'previous-week': 'Previous week' }[period as string] ?? period,
}));

/** The `tz=` pair of a link: the zone encoded, its '/' kept (`tz=Europe/London`), as every link of the pages writes it. */
export function tzPair(tz: string): string {
  return `tz=${encodeURIComponent(tz).replaceAll('%2F', '/')}`;
}

/**
 * A date field's type: a date input, unless its value is none (an error page's `2026-09-31` or
 * RFC3339 time as given), which a browser would silently empty: a text input keeps it to correct.
 */
function dateFieldType(value: string | undefined): 'date' | 'text' {
  return !value || parseDate(value) ? 'date' : 'text';
}

/**
 * Quick period links and a custom from/to form; they keep the chosen time zone. `linkTz`: the
 * zone the links carry when it is not `tz` (an error page's form keeps a zone that is none, to
 * correct, but a link carrying it would only lead to another 400). `periodField` and
 * `monthField` (error pages only): a `period` or `month` given, kept in the form as given so a
 * `period=fortnight` or `month=2026-13` is corrected there (the form had only From, To and the
 * zone, and lost them). The period is a choice of the periods the links offer, the value given
 * first when it is none; the month a text field, as a month field would drop a value that is none.
 */
export function RangeChooser(props: { path: string; tz: string; linkTz?: string; period?: string; custom: boolean; from?: string; to?: string; periodField?: string; monthField?: string }) {
  const linkTz = props.linkTz ?? props.tz;
  const link = (period?: string) => {
    const q = [...(period ? [`period=${encodeURIComponent(period)}`] : []), ...(linkTz !== 'UTC' ? [tzPair(linkTz)] : [])];
    return q.length > 0 ? `${props.path}?${q.join('&')}` : props.path;
  };
  const given = props.periodField;
  const unknownPeriod = given !== undefined && !PERIOD_LABELS.some((p) => p.period === given);
  return (
    <>
      <nav class="periods" aria-label="Report period">
        {PERIOD_LINKS.map((p) => (
          <a href={link(p.period)} aria-current={!props.custom && props.period === p.period ? 'page' : undefined}>
            {p.label}
          </a>
        ))}
      </nav>
      <form class="custom" method="get" action={props.path}>
        <label>
          From
          <input type={dateFieldType(props.from)} name="from" value={props.from ?? ''} />
        </label>
        <label>
          To (exclusive)
          <input type={dateFieldType(props.to)} name="to" value={props.to ?? ''} />
        </label>
        {given !== undefined ? (
          <label>
            Period
            <select name="period">
              {unknownPeriod ? (
                <option value={given} selected>
                  {`“${given}” (not a period)`}
                </option>
              ) : null}
              <option value="">
                None: From and To
              </option>
              {PERIOD_LABELS.map((p) => (
                <option value={p.period} selected={p.period === given}>
                  {`${p.label} (${p.period})`}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {props.monthField !== undefined ? (
          <label>
            Month (YYYY-MM)
            <input type="text" name="month" value={props.monthField} />
          </label>
        ) : null}
        <label>
          Time zone
          <input type="text" name="tz" value={props.tz} autocomplete="off" spellcheck={false} />
        </label>
        <button type="submit">Show</button>
      </form>
    </>
  );
}

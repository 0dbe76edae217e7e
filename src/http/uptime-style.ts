/**
 * @module http/uptime-style
 * The stylesheet of the uptime pages, served from /uptime/style.css so the pages' Content
 * Security Policy can forbid every inline style and script. No web fonts, no external assets.
 * Colours pass WCAG AA against their backgrounds; every coloured thing also carries words or a
 * symbol, so colour is never the only signal.
 */

export const UPTIME_CSS = `
:root { --ok: #1b7a3a; --warn: #a15c00; --bad: #b3261e; --none: #8a8f98; --fg: #1d1f23; --muted: #555b66; --line: #d8dbe0; --bg: #ffffff; --soft: #f4f5f7; --link: #0b57d0; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; }
header.top { border-bottom: 1px solid var(--line); background: var(--soft); }
header.top .wrap { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; }
header.top .brand { font-weight: 700; text-decoration: none; color: var(--fg); }
.wrap { max-width: 72rem; margin: 0 auto; padding: .75rem 1rem; }
h1 { font-size: 1.6rem; margin: 1rem 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; padding-top: 1rem; border-top: 1px solid var(--line); }
.range { color: var(--muted); margin: 0 0 1rem; }
nav.periods { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0; padding: 0; list-style: none; }
nav.periods a { display: inline-block; padding: .25rem .6rem; border: 1px solid var(--line); border-radius: 1rem; text-decoration: none; }
nav.periods a[aria-current="page"] { background: var(--fg); color: var(--bg); border-color: var(--fg); }
form.custom { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin: .5rem 0 1rem; }
form.custom label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
form.custom input, form.custom select, form.custom button { font: inherit; padding: .3rem .5rem; border: 1px solid var(--muted); border-radius: .25rem; background: var(--bg); color: var(--fg); }
form.custom button { cursor: pointer; background: var(--soft); }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
thead th { font-size: .85rem; color: var(--muted); border-bottom: 2px solid var(--line); white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
/* A note under a figure ("no data 15d 13h (not counted)") wraps: on a phone it would widen the card. */
td.num .detail { white-space: normal; }
.badge { display: inline-block; white-space: nowrap; padding: .05rem .5rem; border-radius: .75rem; border: 1px solid currentColor; font-size: .85rem; font-weight: 600; }
.badge.ok { color: var(--ok); } .badge.warn { color: var(--warn); } .badge.bad { color: var(--bad); } .badge.none { color: var(--muted); }
.detail { display: block; font-size: .8rem; color: var(--muted); }
svg.strip { display: block; width: 100%; min-width: 9rem; height: 2rem; }
svg.strip.big { height: 3.5rem; }
svg.strip rect.ok { fill: var(--ok); } svg.strip rect.warn { fill: var(--warn); } svg.strip rect.bad { fill: var(--bad); } svg.strip rect.none { fill: var(--none); }
.strip-note { font-size: .8rem; color: var(--muted); margin: .15rem 0 0; }
dl.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .5rem 1rem; margin: .5rem 0 1rem; }
dl.figures div { background: var(--soft); border-radius: .4rem; padding: .5rem .75rem; }
dl.figures dt { font-size: .8rem; color: var(--muted); }
dl.figures dd { margin: 0; font-size: 1.2rem; font-weight: 600; font-variant-numeric: tabular-nums; }
details { margin: .25rem 0 1rem; }
summary { cursor: pointer; color: var(--link); }
.warnings { border-left: 4px solid var(--warn); background: #fff7e6; padding: .5rem 1rem; margin: 1rem 0; }
.error { border-left: 4px solid var(--bad); background: #fdecea; padding: .75rem 1rem; margin: 1rem 0; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .85rem; color: var(--muted); padding: 0; list-style: none; }
.legend svg { width: .8rem; height: .8rem; vertical-align: -.1rem; margin-right: .3rem; }
.legend rect.ok { fill: var(--ok); } .legend rect.warn { fill: var(--warn); } .legend rect.bad { fill: var(--bad); } .legend rect.none { fill: var(--none); }
footer { color: var(--muted); font-size: .8rem; border-top: 1px solid var(--line); margin-top: 2rem; }
@media (max-width: 40rem) {
  body { font-size: 15px; }
  .wrap { padding: .5rem .75rem; }
  th, td { padding: .4rem .35rem; }
  h1 { font-size: 1.35rem; }
  .hide-narrow { display: none; }
  /* The services table as cards: name and team, uptime and objective, then budget and bars. */
  table.services thead { position: absolute; left: -9999px; }
  table.services tr { display: grid; grid-template-columns: 1fr 1fr; gap: .3rem .75rem; padding: .6rem 0; border-bottom: 1px solid var(--line); }
  table.services th, table.services td { display: block; border: 0; padding: 0; text-align: left; }
  table.services td.budget, table.services td.daily { grid-column: 1 / -1; }
  table.services td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: .85rem; }
  table.services .detail { display: inline; margin-left: .5rem; }
  table.services td.num .detail { display: block; margin-left: 0; }
  /* The day-by-day table fits a phone: a date broke after "2026-" and the last column was cut off. */
  table.days { font-size: .9rem; }
  table.days th, table.days td { padding: .4rem .25rem; }
  table.days thead th { white-space: normal; }
  table.days tbody th { white-space: nowrap; }
}
/* Dark colours on screen only: printed, they were light text on white paper. */
@media screen and (prefers-color-scheme: dark) {
  :root { --ok: #5cc07a; --warn: #f0a742; --bad: #ff8a80; --none: #9aa0a6; --fg: #e8eaed; --muted: #b0b5bd; --line: #3c4043; --bg: #17181b; --soft: #222428; --link: #8ab4f8; }
  .warnings { background: #2e2412; } .error { background: #3a1d1b; }
}
/* On paper: the report without the controls that do nothing there, every table whole. */
@media print {
  .skip, p.back, nav.periods, form.custom, p.downloads { display: none; }
  .scroll { overflow: visible; }
  /* The day-by-day tables, closed on screen, are printed open (browsers with ::details-content). */
  details::details-content { content-visibility: visible; display: contents; }
  summary { list-style: none; color: var(--fg); font-weight: 600; }
  h2, caption, summary { break-after: avoid; }
  tr, dl.figures, svg.strip { break-inside: avoid; }
  a { color: var(--fg); }
}
`;

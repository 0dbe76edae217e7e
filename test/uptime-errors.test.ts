/**
 * Uptime failures are clear errors, never numbers: Thanos down → 503 and CLI exit 1 naming
 * THANOS_URL; THANOS_URL unset → 503 saying so; a PromQL error → 502 with Prometheus' own
 * text (a real Prometheus); bad parameters → 400 naming them; an unknown team → 404.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { REPORT_PERIOD_NAMES } from '../src/uptime/range.js';
import { requireBinary } from '../src/testing/binaries.js';
import { freeTcpPort } from '../src/testing/free-port.js';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { startPrometheus, type PrometheusProcess } from './support/prometheus-server.js';
import { writeConfigDir } from './support/prometheus-uptime-fixture.js';

const prometheusBin = requireBinary('prometheus');

// Valid PromQL (validate and promtool accept it) that Prometheus refuses to run: the regexp of
// label_replace is only compiled when the query is evaluated. (An empty selector such as
// `{job=~".*"}` no longer does: validate rejects it, as promtool does.)
const BROKEN_ERROR = 'invalid regular expression in label_replace(): (';
const BROKEN_RULES =
  'team: platform\nnamespace: monitoring\nuptime:\n  - service: grafana\n' +
  '    up: \'label_replace(probe_success{job="grafana"}, "a", "b", "c", "(")\'\n    objective: 99.9\n';

let dir: string;
let fakes: Fakes;
let downUrl: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertgate-uptime-err-'));
  await writeConfigDir(join(dir, 'config'), { platform: BROKEN_RULES });
  fakes = await startFakes();
  downUrl = `http://127.0.0.1:${await freeTcpPort()}`; // nothing listens there
});
afterAll(async () => {
  await fakes?.close();
  await rm(dir, { recursive: true, force: true });
});

async function cli(env: Record<string, string>, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['uptime', ...args], { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { ALERTGATE_CONFIG_DIR: join(dir, 'config'), ...env }, cwd: dir });
  return { code, out: out.join(''), err: err.join('') };
}

describe('alertgate uptime: a bad range', () => {
  it('names the CLI flags (--from, --to, --period), not the API parameters, in the message', async () => {
    const combined = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', '--period', 'quarter', '--from', '2026-10-01']);
    expect(combined).toMatchObject({ code: 2, err: 'uptime: --period: cannot be combined with --from' });
    const both = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', '--month', '2026-10', '--from', '2026-10-01', '--to', '2026-10-05']);
    expect(both).toMatchObject({ code: 2, err: 'uptime: --month: cannot be combined with --from, --to' });
    const reversed = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', '--from', '2026-10-05', '--to', '2026-10-01']);
    expect(reversed).toMatchObject({
      code: 2,
      err: 'uptime: --from: must be before --to: --from "2026-10-05" is 2026-10-05 00:00:00 UTC and --to "2026-10-01" is 2026-10-01 00:00:00 UTC (in --tz UTC, where a date is its midnight)',
    });
  });

  it('a range that ends before it starts names both values as given and as read in the zone, so the user sees why', async () => {
    // A date is midnight in --tz, an RFC3339 time is its instant: New York's midnight of 1 October is 04:00 UTC, after 03:00Z.
    const zoned = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', '--tz', 'america/new_york', '--from', '2026-10-01', '--to', '2026-10-01T03:00:00Z']);
    expect(zoned).toMatchObject({
      code: 2,
      err: 'uptime: --from: must be before --to: --from "2026-10-01" is 2026-10-01 00:00:00 GMT-4 and --to "2026-10-01T03:00:00Z" is 2026-09-30 23:00:00 GMT-4 (in --tz America/New_York, where a date is its midnight)',
    });
  });

  it('two bad values are both named, --from before --to (the contract\'s order), whichever comes first on the line', async () => {
    const neither = (flag: string, value: string) => `${flag}: "${value}" is neither an RFC3339 timestamp (2026-10-01T00:00:00Z) nor a date (2026-10-01)`;
    for (const args of [['--from', '1', '--to', '2'], ['--to', '2', '--from', '1']]) {
      const r = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', ...args]);
      expect(r, args.join(' ')).toMatchObject({ code: 2, err: `uptime: ${neither('--from', '1')}; ${neither('--to', '2')}` });
    }
    // A bad zone as well: after them, as the contract lists from, to, tz.
    const zone = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', '--tz', 'Mars/Olympus', '--to', '2026-09-31T00:00:00Z', '--from', '1']);
    expect(zone).toMatchObject({
      code: 2,
      err: `uptime: ${neither('--from', '1')}; --to: "2026-09-31T00:00:00Z" has no such date: September has 30 days; --tz: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/London)`,
    });
  });

  it('a period mixed with other range flags is named with every other bad value, not first and alone', async () => {
    const r = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', '--period', 'fortnight', '--from', '2026-09-31', '--tz', 'Mars/Olympus']);
    expect(r).toMatchObject({
      code: 2,
      err: `uptime: --from: "2026-09-31" is not a date: September has 30 days; --tz: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/London); --period: "fortnight" is not one of ${REPORT_PERIOD_NAMES.join(', ')}, and cannot be combined with --from`,
    });
  });

  it('a date that does not exist says so, not that it is no date form at all', async () => {
    const r = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', '--from', '2026-09-01', '--to', '2026-09-31']);
    expect(r).toMatchObject({ code: 2, err: 'uptime: --to: "2026-09-31" is not a date: September has 30 days' });
  });

  it('an instant before the year 0001 says years start at 0001, for an RFC3339 time and a date alike', async () => {
    const r = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', '--from', '0001-01-01T00:30:00+01:00', '--to', '0001-01-02']);
    expect(r).toMatchObject({ code: 2, err: 'uptime: --from: "0001-01-01T00:30:00+01:00" is 0000-12-31T23:30:00Z: years start at 0001' });
    const date = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', '--from', '0001-01-01', '--tz', 'Asia/Tokyo']);
    expect(date).toMatchObject({ code: 2, err: 'uptime: --from: "0001-01-01" is 0000-12-31T14:41:01Z (midnight in Asia/Tokyo): years start at 0001' });
  });

  it('--to alone within 30 days of the year 0001: exit 2 saying its 30 days would start in 1 BC, not a crash', async () => {
    const r = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', '--to', '0001-01-15']);
    expect(r).toMatchObject({ code: 2, err: 'uptime: --to: "0001-01-15" alone reports the 30 days before it, from 0000-12-16T00:00:00Z (midnight in UTC): years start at 0001; give --from as well' });
    const tokyo = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', '--to', '0001-01-02', '--tz', 'Asia/Tokyo']);
    expect(tokyo).toMatchObject({ code: 2, err: 'uptime: --to: "0001-01-02" alone reports the 30 days before it, from 0000-12-02T14:41:01Z (midnight in Asia/Tokyo): years start at 0001; give --from as well' });
    // Past the year 9999 in the zone: the future, as any later range is (it threw "not a date: 10000-01-01").
    const late = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', '--month', '9999-12']);
    expect(late).toMatchObject({ code: 2, err: 'uptime: --month: the report would start now or in the future: there is nothing to report yet' });
  });

  it('a month that does not exist says why, for 13 and 00 alike', async () => {
    for (const month of ['2026-13', '2026-00']) {
      const r = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', '--month', month]);
      expect(r).toMatchObject({ code: 2, err: `uptime: --month: "${month}" is not a month: months run 01 to 12` });
    }
  });

  it('refuses an empty range flag (`--month "$MONTH"` with MONTH unset), which reported the last 30 days in UTC instead', async () => {
    for (const flag of ['--from', '--to', '--tz', '--period', '--month']) {
      for (const value of ['', ' ']) {
        const r = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', flag, value]);
        expect(r.code, `${flag} "${value}"`).toBe(2);
        expect(r.err, `${flag} "${value}"`).toMatch(new RegExp(`^uptime: ${flag} is empty: give its value, or leave the flag out\n`));
      }
    }
  });
});

async function getJson(t: TestGateway, path: string, accept = 'application/json') {
  const res = await fetch(`${t.gw.url}${path}`, { headers: { accept } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', csp: res.headers.get('content-security-policy'), text: await res.text() };
}

describe('uptime when Thanos is down or not configured', () => {
  let down: TestGateway;
  let unset: TestGateway;
  beforeAll(async () => {
    down = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: join(dir, 'config'), THANOS_URL: downUrl });
    unset = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: join(dir, 'config') });
  });
  afterAll(async () => {
    await down?.close();
    await unset?.close();
  });

  /** `path` refused with a 400: the JSON gives `error`, naming `param`. */
  async function expectInvalid(path: string, error: string, param: string): Promise<void> {
    const r = await getJson(down, path);
    expect(r.status, path).toBe(400);
    expect(JSON.parse(r.text), path).toEqual({ error, kind: 'invalid', param });
  }

  it('Thanos unreachable: 503 naming THANOS_URL, and the CLI exits 1 saying the same', async () => {
    const r = await getJson(down, '/v1/uptime?team=payments&month=2026-10');
    expect(r.status).toBe(503);
    const body = JSON.parse(r.text) as { error: string; kind: string };
    expect(body.kind).toBe('unavailable');
    expect(body.error).toContain(`THANOS_URL=${downUrl}`);
    expect(body.error).toContain('ECONNREFUSED');
    expect((await getJson(down, '/v1/uptime.csv?team=payments')).status).toBe(503);

    const run = await cli({ THANOS_URL: downUrl }, ['--team', 'payments', '--month', '2026-10']);
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err).toContain(`THANOS_URL=${downUrl}`);
  });

  it('a range that ends before it starts: 400 naming both values as given and as read in the zone, as the CLI does (checked before Thanos is asked)', async () => {
    const r = await getJson(down, '/v1/uptime?team=payments&from=2026-10-01&to=2026-10-01T03:00:00Z&tz=America/New_York');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({
      error: 'from: must be before to: from "2026-10-01" is 2026-10-01 00:00:00 GMT-4 and to "2026-10-01T03:00:00Z" is 2026-09-30 23:00:00 GMT-4 (in tz America/New_York, where a date is its midnight)',
      kind: 'invalid',
      param: 'from',
    });
  });

  it('two bad values: the 400 names both, from before to, whatever their order in the URL, as the CLI does; param is from', async () => {
    const neither = (param: string, value: string) => `${param}: "${value}" is neither an RFC3339 timestamp (2026-10-01T00:00:00Z) nor a date (2026-10-01)`;
    for (const path of ['/v1/uptime?team=payments&from=1&to=2', '/v1/uptime?team=payments&to=2&from=1', '/v1/uptime.csv?to=2&team=payments&from=1']) {
      await expectInvalid(path, `${neither('from', '1')}; ${neither('to', '2')}`, 'from');
    }
  });

  it('a date that does not exist: 400 saying so, for from and to, the API, the CSV and the pages alike', async () => {
    for (const [path, param] of [
      ['/v1/uptime?team=payments&from=2026-09-01&to=2026-09-31', 'to'],
      ['/v1/uptime.csv?team=payments&from=2026-09-31', 'from'],
      ['/uptime/payments?from=2026-09-31', 'from'],
      ['/uptime?to=2026-09-31', 'to'],
    ] as const) {
      await expectInvalid(path, `${param}: "2026-09-31" is not a date: September has 30 days`, param);
    }
    const page = await getJson(down, '/uptime/payments?to=2026-09-31', 'text/html');
    expect(page.status).toBe(400);
    expect(page.text).toContain('to: &quot;2026-09-31&quot; is not a date: September has 30 days');
  });

  it('an instant before the year 0001: 400 saying years start at 0001, on the API, the CSV and the pages alike', async () => {
    const said = 'from: "0001-01-01T00:30:00+01:00" is 0000-12-31T23:30:00Z: years start at 0001';
    for (const path of ['/v1/uptime?team=payments&from=0001-01-01T00:30:00%2B01:00', '/v1/uptime.csv?team=payments&from=0001-01-01T00:30:00%2B01:00', '/uptime/payments?from=0001-01-01T00:30:00%2B01:00', '/uptime?from=0001-01-01T00:30:00%2B01:00']) {
      await expectInvalid(path, said, 'from');
    }
    const page = await getJson(down, '/uptime/payments?from=0001-01-01&tz=Asia/Tokyo', 'text/html');
    expect(page.status).toBe(400);
    expect(page.text).toContain('from: &quot;0001-01-01&quot; is 0000-12-31T14:41:01Z (midnight in Asia/Tokyo): years start at 0001');
    const month = await getJson(down, '/v1/uptime?team=payments&month=0001-01&tz=Asia/Tokyo');
    expect(JSON.parse(month.text)).toEqual({ error: 'month: "0001-01" starts at 0000-12-31T14:41:01Z (midnight in Asia/Tokyo): years start at 0001', kind: 'invalid', param: 'month' });
  });

  it('to alone within 30 days of the year 0001, or past 9999: 400 saying why, on the API, the CSV and the pages alike (was a 500)', async () => {
    const said = 'to: "0001-01-15" alone reports the 30 days before it, from 0000-12-16T00:00:00Z (midnight in UTC): years start at 0001; give from as well';
    for (const path of ['/v1/uptime?team=payments&to=0001-01-15', '/v1/uptime.csv?team=payments&to=0001-01-15', '/uptime/payments?to=0001-01-15', '/uptime?to=0001-01-15']) {
      await expectInvalid(path, said, 'to');
    }
    const page = await getJson(down, '/uptime/payments?to=0001-01-02&tz=Asia/Tokyo', 'text/html');
    expect(page.status).toBe(400);
    expect(page.text).toContain('to: &quot;0001-01-02&quot; alone reports the 30 days before it, from 0000-12-02T14:41:01Z (midnight in Asia/Tokyo): years start at 0001; give from as well');
    const future = 'the report would start now or in the future: there is nothing to report yet';
    for (const [path, param] of [['/v1/uptime?team=payments&month=9999-12', 'month'], ['/v1/uptime.csv?team=payments&to=9999-12-31T23:59:59-12:00', 'from'], ['/uptime?month=9999-12', 'month']] as const) {
      await expectInvalid(path, `${param}: ${future}`, param);
    }
    expect((await getJson(down, '/uptime/payments?month=9999-12', 'text/html')).status).toBe(400);
  });

  it('a month that does not exist: 400 saying why, on the API, the CSV and the pages alike', async () => {
    for (const path of ['/v1/uptime?team=payments&month=2026-13', '/v1/uptime.csv?team=payments&month=2026-00', '/uptime/payments?month=2026-13', '/uptime?month=2026-00']) {
      const month = path.slice(-7);
      await expectInvalid(path, `month: "${month}" is not a month: months run 01 to 12`, 'month');
    }
    const page = await getJson(down, '/uptime/payments?month=2026-13', 'text/html');
    expect(page.status).toBe(400);
    expect(page.text).toContain('month: &quot;2026-13&quot; is not a month: months run 01 to 12');
  });

  it('the HTML 400 shows the range form with the values as given: a valid month as its days, a bad value whole and escaped', async () => {
    const zone = await getJson(down, '/uptime/payments?month=2026-10&tz=Mars/Base', 'text/html');
    expect(zone.status).toBe(400);
    expect(zone.text).toContain('<form class="custom" method="get" action="/uptime/payments">');
    expect(zone.text).toContain('<input type="date" name="from" value="2026-10-01"/>');
    expect(zone.text).toContain('<input type="date" name="to" value="2026-11-01"/>');
    expect(zone.text).toContain('name="tz" value="Mars/Base"');
    const typed = await getJson(down, '/uptime?from=%22%3E%3Cimg%20src%3Dx%3E&to=2026-10-01T00:00:00Z', 'text/html');
    expect(typed.status).toBe(400);
    expect(typed.text).toContain('<input type="text" name="from" value="&quot;&gt;&lt;img src=x&gt;"/>');
    expect(typed.text).toContain('<input type="text" name="to" value="2026-10-01T00:00:00Z"/>');
    expect(typed.text).not.toContain('<img src=x>');
    // Not for other errors: Thanos down (503) has no form to correct.
    expect((await getJson(down, '/uptime/payments?month=2026-10', 'text/html')).text).not.toContain('<form');
  });

  it('the HTML 400 keeps a period or month given in its form, as typed, so the reader corrects it there', async () => {
    /** The period chooser's options (value, text, selected) and the month field, as the form has them. */
    const form = (text: string) => {
      const select = /<select name="period"[^>]*>(.*?)<\/select>/s.exec(text)?.[1];
      const options = [...(select ?? '').matchAll(/<option value="([^"]*)"( selected="")?>([^<]*)<\/option>/g)].map((m) => ({ value: m[1], text: m[3], selected: !!m[2] }));
      const month = /<input type="([^"]*)" name="month" value="([^"]*)"\/>/.exec(text);
      return { periods: select === undefined ? undefined : options, month: month ? { type: month[1], value: month[2] } : undefined };
    };
    // A period that is none: shown as typed, first and chosen, above the periods there are.
    const bad = await getJson(down, '/uptime/payments?period=fortnight&tz=Europe/London', 'text/html');
    expect(bad.status).toBe(400);
    const periods = form(bad.text).periods!;
    expect(periods.filter((o) => o.selected)).toEqual([{ value: 'fortnight', text: '“fortnight” (not a period)', selected: true }]);
    expect(periods.map((o) => o.value)).toEqual(['fortnight', '', ...REPORT_PERIOD_NAMES]);
    expect(periods[1]!.text).toBe('None: From and To');
    // A valid period in a zone that is none: kept, or correcting the zone alone gave the last 30 days.
    const zone = form((await getJson(down, '/uptime?period=quarter&tz=Mars/Base', 'text/html')).text);
    expect(zone.periods!.filter((o) => o.selected).map((o) => o.value)).toEqual(['quarter']);
    expect(zone.periods!.map((o) => o.value)).toEqual(['', ...REPORT_PERIOD_NAMES]);
    // A month that is none: in a text field (a month field would drop it), as typed.
    expect(form((await getJson(down, '/uptime?month=2026-13&tz=Europe/London', 'text/html')).text)).toEqual({ periods: undefined, month: { type: 'text', value: '2026-13' } });
    expect(form((await getJson(down, '/uptime?month=0000-01', 'text/html')).text).month).toEqual({ type: 'text', value: '0000-01' });
    // A valid month mixed with from: both kept, the month no longer lost to the from given.
    const mixed = await getJson(down, '/uptime/payments?month=2026-10&from=2026-10-05', 'text/html');
    expect(mixed.text).toContain('<input type="date" name="from" value="2026-10-05"/>');
    expect(form(mixed.text).month).toEqual({ type: 'text', value: '2026-10' });
    // A month alone stays its days, and neither control is added where nothing was given.
    const days = await getJson(down, '/uptime/payments?month=2026-10&tz=Mars/Base', 'text/html');
    expect(form(days.text)).toEqual({ periods: undefined, month: undefined });
    expect(days.text).toContain('<input type="date" name="from" value="2026-10-01"/>');
  });

  it('error pages lead back with the zone (and, when only Thanos failed, the range) the reader asked for', async () => {
    const links = (text: string) => [...text.matchAll(/<a (?:class="brand" )?href="(\/uptime(?:\?[^"#]*)?)"[^>]*>(alertgate uptime|Back to all services)<\/a>/g)].map((m) => [m[2], m[1]!.replaceAll('&amp;', '&')]);
    // 400: only what is valid, as the period links (the zone as the tz database spells it).
    const bad = await getJson(down, '/uptime/payments?from=2026-09-31&tz=europe/london', 'text/html');
    expect(bad.status).toBe(400);
    expect(links(bad.text)).toEqual([['alertgate uptime', '/uptime?tz=Europe/London'], ['Back to all services', '/uptime?tz=Europe/London']]);
    const nowhere = await getJson(down, '/uptime/payments?from=2026-09-31&tz=Mars/Base', 'text/html');
    expect(links(nowhere.text)).toEqual([['alertgate uptime', '/uptime'], ['Back to all services', '/uptime']]);
    // 503 (Thanos down): the range was valid, all of it kept.
    const down503 = await getJson(down, '/uptime/payments?month=2026-10&tz=europe/london', 'text/html');
    expect(down503.status).toBe(503);
    expect(links(down503.text)).toEqual([['alertgate uptime', '/uptime?month=2026-10&tz=Europe/London'], ['Back to all services', '/uptime?month=2026-10&tz=Europe/London']]);
  });

  it('month mixed with other range parameters: the 400 names every problem, param the first, on the API and the pages alike', async () => {
    const error = 'to: "2" is neither an RFC3339 timestamp (2026-10-01T00:00:00Z) nor a date (2026-10-01); month: "2026-13" is not a month: months run 01 to 12, and cannot be combined with to';
    for (const path of ['/v1/uptime?team=payments&month=2026-13&to=2', '/uptime/payments?to=2&month=2026-13', '/uptime?month=2026-13&to=2']) {
      await expectInvalid(path, error, 'to');
    }
  });

  it('THANOS_URL unset: 503 saying so, for the API, the CSV, the pages and the CLI', async () => {
    for (const path of ['/v1/uptime?team=payments', '/v1/uptime.csv?team=payments', '/uptime', '/uptime/payments']) {
      const r = await getJson(unset, path);
      expect(r.status, path).toBe(503);
      expect(JSON.parse(r.text).error, path).toMatch(/THANOS_URL is not set/);
    }
    const run = await cli({}, ['--team', 'payments']);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/THANOS_URL is not set/);
  });

  it('a browser gets an HTML error page, under the same strict CSP', async () => {
    const r = await getJson(down, '/uptime/payments?month=2026-10', 'text/html,application/xhtml+xml');
    expect(r.status).toBe(503);
    expect(r.type).toMatch(/^text\/html/);
    expect(r.csp).toContain("default-src 'none'");
    expect(r.text).toContain('Uptime data is unavailable');
    expect(r.text).toContain(`THANOS_URL=${downUrl}`);
  });
});

describe.skipIf(!prometheusBin)('uptime against a Prometheus that refuses a query', () => {
  let prom: PrometheusProcess;
  let t: TestGateway;
  beforeAll(async () => {
    prom = await startPrometheus(prometheusBin!, join(dir, 'prom'), join(dir, 'prom', 'data'));
    t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: join(dir, 'config'), THANOS_URL: prom.url });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await prom?.stop();
  });

  it('a PromQL error is 502 with Prometheus\' error text, naming the check', async () => {
    const r = await getJson(t, '/v1/uptime?team=platform&month=2026-10');
    expect(r.status).toBe(502);
    const body = JSON.parse(r.text) as { error: string; kind: string };
    expect(body.kind).toBe('query');
    expect(body.error).toContain('uptime check "grafana" of team "platform"');
    expect(body.error).toContain(BROKEN_ERROR);

    const run = await cli({ THANOS_URL: prom.url }, ['--team', 'platform', '--month', '2026-10']);
    expect(run.code).toBe(1);
    expect(run.err).toContain(BROKEN_ERROR);
  });

  it('the all-teams page still shows the other teams when one team\'s check is broken', async () => {
    const r = await getJson(t, '/uptime?month=2026-10', 'text/html');
    expect(r.status).toBe(200);
    expect(r.text).toContain('No report for 1 team:');
    expect(r.text).toContain(BROKEN_ERROR);
    expect(r.text).toContain('5 services of 2 teams');
    expect(r.text).toContain('>checkout</a>');
  });

  it('bad parameters are 400 naming the parameter; an unknown team is 404', async () => {
    const cases: Array<[string, string]> = [
      ['/v1/uptime', 'team'],
      ['/v1/uptime?team=payments&tz=Mars/Olympus', 'tz'],
      ['/v1/uptime?team=payments&from=last-tuesday', 'from'],
      ['/v1/uptime?team=payments&from=2026-10-02&to=2026-10-01', 'from'],
      ['/v1/uptime?team=payments&to=2026-13-01', 'to'],
      ['/v1/uptime?team=payments&from=2026-02-30T00:00:00Z', 'from'],
      ['/v1/uptime.csv?team=payments&from=2026-09-01T00:00:00Z&to=2026-09-31T00:00:00Z', 'to'],
      ['/v1/uptime?team=payments&month=October', 'month'],
      ['/v1/uptime.csv?team=payments&period=fortnight', 'period'],
      ['/v1/uptime?team=Payments!', 'team'],
    ];
    for (const [path, param] of cases) {
      const r = await getJson(t, path);
      expect(r.status, path).toBe(400);
      const body = JSON.parse(r.text) as { error: string; param: string };
      expect(body.param, path).toBe(param);
      expect(body.error, path).toContain(param);
    }
    const unknown = await getJson(t, '/v1/uptime?team=nobody');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text).error).toContain('unknown team "nobody"');
    expect((await getJson(t, '/uptime/nobody')).status).toBe(404);
  });

  it('with no samples at all every figure is "no data", never a made-up 100%', async () => {
    const payments = await getJson(t, '/v1/uptime?team=payments&month=2026-10');
    expect(payments.status).toBe(200);
    const r = JSON.parse(payments.text) as { services: Array<{ uptimePercent: number | null; noDataSeconds: number }> };
    // The empty Prometheus has no samples: no data, never a made-up 100%.
    expect(r.services.map((s) => s.uptimePercent)).toEqual([null, null, null]);
    expect(r.services[0]!.noDataSeconds).toBe(31 * 86_400);
  });
});

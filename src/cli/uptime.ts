/**
 * @module cli/uptime
 * `alertgate uptime --team T [--from D --to D] [--tz Z] [--period P | --month YYYY-MM]
 * [--format table|json|csv] [--config DIR]`: a team's uptime report from Thanos (`THANOS_URL`),
 * computed exactly as GET /v1/uptime computes it, for the terminal (table), scripts (json, the
 * API's document) or spreadsheets (csv). Maintenance windows are excused as the gateway excuses them: those of
 * routes/, and the ad-hoc ones made through the API, read from the gateway's store (opened
 * read-only: cli/uptime-store.ts). Without a store configured, or with a default one it cannot
 * use, a note on stderr says the latter are left out, and why.
 *
 * Exit codes: 0 report printed; 1 Thanos unreachable or refused the query, `THANOS_URL` unset,
 * unknown team, invalid config, or a store named by DATABASE_URL that cannot be opened or read or
 * whose schema is newer than this release's or older than the oldest it reads (the message says
 * which); 2 usage error or bad option value.
 */
import { readSecret, secretFile } from '../config/env.js';
import { loadRoutingConfig } from '../config/load-routes.js';
import { formatSourceError, printable } from '../config/source-error.js';
import { fileChecksSource } from '../uptime/checks-source.js';
import { reportToCsv } from '../uptime/csv.js';
import { UptimeError } from '../uptime/errors.js';
import { REPORT_PERIOD_NAMES } from '../uptime/range.js';
import { createUptimeService, NOT_CONFIGURED_MESSAGE } from '../uptime/service.js';
import { readThanosSettings } from '../uptime/settings.js';
import { reportMaintenanceFrom } from '../uptime/stored-windows.js';
import { reportToTable } from '../uptime/table.js';
import { createThanosClient } from '../uptime/thanos-client.js';
import { CONFIG_OPTION, configOptionHelp, resolveConfigDir } from './config-dir.js';
import type { Command } from './io.js';
import { parseOptions } from './parse-options.js';
import { openUptimeStore, type UptimeStore } from './uptime-store.js';

export const USAGE = `usage: alertgate uptime --team T [--from DATE|RFC3339 --to DATE|RFC3339] [--tz ZONE]
                        [--period ${REPORT_PERIOD_NAMES.join('|')} | --month YYYY-MM]
                        [--format table|json|csv] [--config DIR]
  default range: the last 30 full days in --tz (default UTC); THANOS_URL must be set;
  API maintenance windows are read (read-only) from DATABASE_URL, or data/alertgate.db here`;

/** What `alertgate uptime --help` adds to the usage line. */
export const HELP = `A team's uptime report from Thanos (THANOS_URL), computed as GET /v1/uptime computes it;
maintenance windows of routes/ and those created with POST /v1/maintenance are excluded, the
latter read from the gateway's store (DATABASE_URL, as for serve), opened read-only: nothing is
migrated or written. --format json prints the API's document on stdout.

options:
  --team T                   the team (a routes file of the config dir)
  --from D, --to D           the range: YYYY-MM-DD (midnight in --tz) or RFC3339
  --tz ZONE                  time zone of dates, periods and the table's times (default UTC)
  --period P | --month Y-M   a named period (listed above) or a calendar month, instead of --from/--to
  --format table|json|csv    output (default table)
${configOptionHelp(29)}

exit codes: 0 report printed; 1 Thanos unreachable or refused the query, THANOS_URL unset,
            unknown team, invalid config, or a store named by DATABASE_URL that cannot be
            opened or read or whose schema this release does not read (newer than it, or
            older than its maintenance windows' shape; an unusable default data/alertgate.db
            is noted on stderr instead); 2 usage error or bad option value`;

const FORMATS = ['table', 'json', 'csv'] as const;

/** The flags that choose the report's range and zone. */
const RANGE_FLAGS = ['from', 'to', 'tz', 'period', 'month'] as const;

export const uptimeCommand: Command = async (argv, io) => {
  let args;
  try {
    args = parseOptions(argv, {
      team: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      tz: { type: 'string' },
      period: { type: 'string' },
      month: { type: 'string' },
      format: { type: 'string', default: 'table' },
      ...CONFIG_OPTION,
    });
  } catch (err) {
    io.stderr(`uptime: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!args.team) {
    io.stderr(`uptime: --team is required\n${USAGE}`);
    return 2;
  }
  // `--month "$MONTH"` with MONTH unset would report the default range (the last 30 days, UTC)
  // as if asked for it, as an empty --config would read the working directory.
  const empty = RANGE_FLAGS.find((name) => args[name] !== undefined && args[name].trim() === '');
  if (empty !== undefined) {
    io.stderr(`uptime: --${empty} is empty: give its value, or leave the flag out\n${USAGE}`);
    return 2;
  }
  const format = args.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    io.stderr(`uptime: --format must be one of ${FORMATS.join(', ')}, got "${args.format}"`);
    return 2;
  }

  let thanos;
  try {
    thanos = readThanosSettings(io.env, readSecret, secretFile);
  } catch (err) {
    io.stderr(`uptime: ${(err as Error).message}`);
    return 1;
  }
  if (!thanos.url) {
    io.stderr(`uptime: ${NOT_CONFIGURED_MESSAGE}`);
    return 1;
  }

  const { dir, problem } = await resolveConfigDir(io, args.config);
  if (problem !== undefined) {
    io.stderr(`uptime: ${problem}`);
    return 1;
  }
  // Reads the config the gateway runs with (often its ConfigMap mount), as its reports do.
  const routes = await loadRoutingConfig(dir, io.env, { nonFileEntries: 'warning' });
  if (!routes.config) {
    for (const e of routes.errors) io.stderr(formatSourceError(e));
    io.stderr(`uptime: the config has ${routes.errors.length} error(s); run alertgate validate`);
    return 1;
  }
  const config = routes.config;
  const teams = [...config.teams.keys()];
  let opened: UptimeStore;
  try {
    opened = await openUptimeStore(io);
  } catch (err) {
    io.stderr(`uptime: ${(err as Error).message}`);
    return 1;
  }
  const service = createUptimeService({
    client: createThanosClient({ url: thanos.url, timeoutMs: thanos.timeoutMs, ...(thanos.token ? { token: thanos.token } : {}) }),
    checks: fileChecksSource({ configDir: dir, env: io.env, routeTeams: () => teams }),
    policy: thanos.resolution,
    // What the gateway's reports excuse, read the same way, or the table would call a budget
    // exhausted that the page calls healthy.
    reportMaintenance: reportMaintenanceFrom((team) => config.teams.get(team), opened.store),
  });
  try {
    const report = await service.report({ team: args.team, from: args.from, to: args.to, tz: args.tz, period: args.period, month: args.month });
    const out = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : format === 'csv' ? reportToCsv(report) : reportToTable(report);
    io.stdout(out);
    // After the report, which it qualifies: a run that printed none has nothing to note.
    if (opened.note) io.stderr(opened.note);
    for (const w of report.warnings) if (format !== 'table') io.stderr(`uptime: warning: ${printable(w)}`);
    return 0;
  } catch (err) {
    if (!(err instanceof UptimeError)) throw err;
    // A range error names the CLI's flags (`--from`), not the API's parameters (`from`).
    io.stderr(`uptime: ${err.naming((param) => `--${param}`)}`);
    return err.kind === 'invalid' ? 2 : 1;
  } finally {
    await opened.store?.close();
  }
};

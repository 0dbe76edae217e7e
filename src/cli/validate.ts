/**
 * @module cli/validate
 * `alertgate validate [--config DIR]`: check the config dir (cli/config-dir.ts) and print every problem as `file:line:col message`, paths relative to that dir.
 * Exit 1 on any error, 0 otherwise (warnings, such as a routing-key variable not set yet, do not
 * fail: secrets are injected at deploy time).
 *
 * More validators (rules/, dashboards/) plug in by adding a ConfigValidator to `validators`:
 * each gets the already-loaded routes (so it can check its team names against them) and returns
 * its problems; the command prints them all together, sorted by position.
 */
import { loadRoutingConfig, teamNamespacesOf, type LoadRoutesResult } from '../config/load-routes.js';
import { loadTeamSpecs } from '../config/load-team-specs.js';
import { formatSourceError, sortSourceErrors, type SourceError } from '../config/source-error.js';
import { CONFIG_OPTION, configOptionHelp, resolveConfigDir } from './config-dir.js';
import type { Command } from './io.js';
import { parseOptions } from './parse-options.js';

export interface ValidationContext {
  /** Absolute config dir. */
  dir: string;
  env: NodeJS.ProcessEnv;
  /** routes/ is always loaded first: other files refer to its teams. */
  routes: LoadRoutesResult;
}

/** Returns errors and warnings (SourceError.severity tells them apart), files relative to `dir`. */
export type ConfigValidator = (ctx: ValidationContext) => Promise<SourceError[]>;

/** rules/ and dashboards/: their teams must have a routes file; severities per ALERTGATE_SEVERITIES. */
const teamSpecsValidator: ConfigValidator = async (ctx) => {
  const severities = (ctx.env['ALERTGATE_SEVERITIES'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const teamNamespaces = teamNamespacesOf(ctx.routes);
  const r = await loadTeamSpecs(ctx.dir, { routeTeams: new Set(ctx.routes.teamNames), ...(severities.length ? { severities } : {}), ...(teamNamespaces && { teamNamespaces }) });
  return [...r.errors, ...r.warnings];
};

/** Validators run after routes/. */
export const validators: ConfigValidator[] = [teamSpecsValidator];

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export const VALIDATE_USAGE = 'usage: alertgate validate [--config DIR]';

/** What `alertgate validate --help` adds to the usage line. */
export const VALIDATE_HELP = `Check routes/, rules/ and dashboards/ of the config dir as the gateway and generate read them.
Every problem is printed on stdout as \`file:line:col message\`, then a summary line.

options:
${configOptionHelp(16)}

exit codes: 0 valid (warnings, such as an unset routing-key variable, do not fail);
            1 any error, or the config dir does not exist; 2 usage error`;

export function createValidateCommand(extra: readonly ConfigValidator[]): Command {
  return async (argv, io) => {
    let args;
    try {
      args = parseOptions(argv, CONFIG_OPTION);
    } catch (err) {
      io.stderr(`validate: ${(err as Error).message}\n${VALIDATE_USAGE}`);
      return 2;
    }
    const { dir, problem } = await resolveConfigDir(io, args.config);
    if (problem !== undefined) {
      io.stderr(`validate: ${problem}`);
      return 1;
    }
    const routes = await loadRoutingConfig(dir, io.env);
    const ctx: ValidationContext = { dir, env: io.env, routes };
    const problems: SourceError[] = [...routes.errors, ...routes.warnings];
    for (const validator of extra) problems.push(...(await validator(ctx)));

    const sorted = sortSourceErrors(problems);
    for (const p of sorted) io.stdout(formatSourceError(p));
    const errors = sorted.filter((p) => p.severity === 'error').length;
    const warnings = sorted.length - errors;
    if (errors > 0) {
      io.stdout(`invalid: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
      return 1;
    }
    const teams = routes.config?.teams.size ?? 0;
    io.stdout(`ok: ${plural(teams, 'team')}${warnings > 0 ? ` (${plural(warnings, 'warning')})` : ''}`);
    return 0;
  };
}

export const validateCommand: Command = (argv, io) => createValidateCommand(validators)(argv, io);

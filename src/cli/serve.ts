/**
 * @module cli/serve
 * `alertgate serve [--config DIR]`: run the gateway until SIGTERM/SIGINT; SIGHUP reloads the config. Signals
 * are answered from the very start to the end of the shutdown (cli/serve-signals.ts says how).
 */
import { readSettings } from '../config/env.js';
import { createLogger } from '../log/logger.js';
import { startGateway } from '../server.js';
import { CONFIG_OPTION, configOptionHelp, resolveConfigDir } from './config-dir.js';
import { setHeapGrowth } from './heap-growth.js';
import type { Command } from './io.js';
import { parseOptions } from './parse-options.js';
import { handleServeSignals } from './serve-signals.js';

export const SERVE_USAGE = 'usage: alertgate serve [--config DIR]   (other settings come from the environment: PORT, DATABASE_URL, …; see README "Environment")';

/** What `alertgate serve --help` adds to the usage line. */
export const SERVE_HELP = `Run the gateway: receive Alertmanager webhooks, deliver to team Slack/PagerDuty, serve the API.
Runs until SIGTERM or SIGINT; SIGHUP reloads the config dir.

options:
${configOptionHelp(16)}

exit codes: 0 stopped by a signal; 1 could not start (settings, config, database, port); 2 usage error`;

export const serveCommand: Command = async (argv, io) => {
  // Any other argument is a mistake (a flag meant for another command, a misplaced setting):
  // starting anyway would hide it.
  let args;
  try {
    args = parseOptions(argv, CONFIG_OPTION);
  } catch (err) {
    io.stderr(`serve: ${(err as Error).message}\n${SERVE_USAGE}`);
    return 2;
  }
  const settings = readSettings(io.env, io.cwd);
  setHeapGrowth();
  // Its own logger: the gateway's exists only once started. Its lines name signals, no secret.
  const signals = handleServeSignals(createLogger({ level: settings.logLevel }));
  try {
    // As every command finds it (--config wins over ALERTGATE_CONFIG_DIR); reloads read the same dir.
    const { dir: configDir, problem } = await resolveConfigDir(io, args.config);
    if (problem !== undefined) {
      io.stderr(`serve: ${problem}`);
      return 1;
    }
    const gateway = await startGateway({ settings: { ...settings, configDir }, env: io.env });
    await signals.untilStop(() => gateway.reload('signal'));
    await gateway.close();
    return 0;
  } finally {
    signals.dispose();
  }
};

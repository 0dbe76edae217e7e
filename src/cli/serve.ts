/**
 * @module cli/serve
 * `alertgate serve`: run the gateway until SIGTERM/SIGINT; SIGHUP reloads the config. Signals
 * are answered from the very start to the end of the shutdown (cli/serve-signals.ts says how).
 */
import { readSettings } from '../config/env.js';
import { createLogger } from '../log/logger.js';
import { startGateway } from '../server.js';
import { setHeapGrowth } from './heap-growth.js';
import type { Command } from './io.js';
import { handleServeSignals } from './serve-signals.js';

export const SERVE_USAGE = 'usage: alertgate serve   (settings come from the environment: PORT, DATABASE_URL, …; see README "Environment")';

/** What `alertgate serve --help` adds to the usage line. */
export const SERVE_HELP = `Run the gateway: receive Alertmanager webhooks, deliver to team Slack/PagerDuty, serve the API.
Runs until SIGTERM or SIGINT; SIGHUP reloads the config (ALERTGATE_CONFIG_DIR or the current directory).

exit codes: 0 stopped by a signal; 1 could not start (settings, config, database, port); 2 usage error`;

export const serveCommand: Command = async (argv, io) => {
  // An argument here is a mistake (a flag meant for another command, a misplaced setting):
  // starting anyway would hide it.
  if (argv.length > 0) {
    io.stderr(`serve: unexpected argument "${argv[0]}"\n${SERVE_USAGE}`);
    return 2;
  }
  const settings = readSettings(io.env, io.cwd);
  setHeapGrowth();
  // Its own logger: the gateway's exists only once started. Its lines name signals, no secret.
  const signals = handleServeSignals(createLogger({ level: settings.logLevel }));
  try {
    const gateway = await startGateway({ settings, env: io.env });
    await signals.untilStop(() => gateway.reload('signal'));
    await gateway.close();
    return 0;
  } finally {
    signals.dispose();
  }
};

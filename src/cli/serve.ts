/**
 * @module cli/serve
 * `alertgate serve`: run the gateway until SIGTERM/SIGINT; SIGHUP reloads the config.
 */
import { readSettings } from '../config/env.js';
import { startGateway } from '../server.js';
import { setHeapGrowth } from './heap-growth.js';
import type { Command } from './io.js';

export const SERVE_USAGE = 'usage: alertgate serve   (settings come from the environment: PORT, DATABASE_URL, …; see README "Environment")';

export const serveCommand: Command = async (argv, io) => {
  // An argument here is a mistake (a flag meant for another command, a misplaced setting):
  // starting anyway would hide it.
  if (argv.length > 0) {
    io.stderr(`serve: unexpected argument "${argv[0]}"\n${SERVE_USAGE}`);
    return 2;
  }
  const settings = readSettings(io.env, io.cwd);
  setHeapGrowth();
  const gateway = await startGateway({ settings, env: io.env });
  const onHup = () => void gateway.reload();
  process.on('SIGHUP', onHup);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  process.off('SIGHUP', onHup);
  await gateway.close();
  return 0;
};

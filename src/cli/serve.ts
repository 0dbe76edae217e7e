/**
 * @module cli/serve
 * `alertgate serve`: run the gateway until SIGTERM/SIGINT; SIGHUP reloads the config.
 */
import { readSettings } from '../config/env.js';
import { startGateway } from '../server.js';
import { setHeapGrowth } from './heap-growth.js';
import type { Command } from './io.js';

export const serveCommand: Command = async (_argv, io) => {
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

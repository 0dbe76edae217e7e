import type { Command } from './io.js';

export const serveCommand: Command = async (_argv, io) => {
  io.stderr('serve: not implemented yet');
  return 1;
};

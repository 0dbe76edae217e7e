/**
 * @module cli/main
 * `alertgate <command>`: wiring only; each command lives in its own file.
 */
import { processIO, type CliIO, type Command } from './io.js';

const USAGE = `usage: alertgate <command> [options]

commands:
  serve                                   run the gateway (default)
  validate                                check routes/, rules/, dashboards/; errors as file:line:col message
  route-test --labels 'k=v,…' [--json]    show which team, routes and receivers an alert reaches
  generate --out DIR [--check]            write PrometheusRule and dashboard ConfigMaps
  uptime --team T [--from --to] [--format table|json|csv]   uptime report from Thanos (THANOS_URL)
`;

const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.js')).serveCommand,
  validate: async () => (await import('./validate.js')).validateCommand,
  'route-test': async () => (await import('./route-test.js')).routeTestCommand,
  generate: async () => (await import('./generate.js')).generateCommand,
  uptime: async () => (await import('./uptime.js')).uptimeCommand,
};

export function registerCommand(name: string, load: () => Promise<Command>): void {
  commands[name] = load;
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name = 'serve', ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    io.stderr(`alertgate: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return (await load())(rest, io);
}

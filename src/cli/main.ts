/**
 * @module cli/main
 * `alertgate <command>`: wiring only; each command lives in its own file.
 */
import { readFileSync } from 'node:fs';
import { processIO, type CliIO, type Command } from './io.js';

const USAGE = `usage: alertgate <command> [options]

commands:
  serve                                   run the gateway (default)
  validate                                check routes/, rules/, dashboards/; errors as file:line:col message
  route-test --labels 'k=v,…' [--json]    show which team, routes and receivers an alert reaches
  generate --out DIR [--check]            write PrometheusRule and dashboard ConfigMaps
  uptime --team T [--from --to] [--format table|json|csv]   uptime report from Thanos (THANOS_URL)

every command reads the config dir (routes/, and rules/ and dashboards/ as it needs them):
--config DIR, else ALERTGATE_CONFIG_DIR, else the current directory; options given without a
command are serve's (alertgate --config DIR serves).

alertgate <command> --help (or alertgate help <command>) says what a command does, its options
and exit codes; alertgate --version prints the version.

exit codes: 0 ok; 1 invalid config or failed check; 2 usage error
`;

/** A command and its help: the usage line, then what it does, its options and exit codes. */
interface CommandEntry {
  run: Command;
  help: string;
}

// Loaded on use: `serve` need not load the generators, nor `validate` the HTTP server.
const commands: Record<string, () => Promise<CommandEntry>> = {
  serve: async () => {
    const m = await import('./serve.js');
    return { run: m.serveCommand, help: `${m.SERVE_USAGE}\n\n${m.SERVE_HELP}` };
  },
  validate: async () => {
    const m = await import('./validate.js');
    return { run: m.validateCommand, help: `${m.VALIDATE_USAGE}\n\n${m.VALIDATE_HELP}` };
  },
  'route-test': async () => {
    const m = await import('./route-test.js');
    return { run: m.routeTestCommand, help: `${m.USAGE}\n\n${m.HELP}` };
  },
  generate: async () => {
    const m = await import('./generate.js');
    return { run: m.generateCommand, help: `${m.USAGE}\n\n${m.HELP}` };
  },
  uptime: async () => {
    const m = await import('./uptime.js');
    return { run: m.uptimeCommand, help: `${m.USAGE}\n\n${m.HELP}` };
  },
};

export function registerCommand(name: string, load: () => Promise<Command>, usage = `usage: alertgate ${name}`): void {
  commands[name] = async () => ({ run: await load(), help: usage });
}

/** package.json sits two levels above both src/cli/ (tsx) and dist/cli/ (the build). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/** Flags `alertgate` itself answers before any command. */
const TOP_LEVEL_FLAGS = new Set(['--help', '--version']);

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  // `serve` is the default command, its options included: `alertgate --config /cfg` (what
  // `docker run image --config /cfg` runs, the image's CMD replaced) serves.
  const optionsFirst = argv[0]?.startsWith('--') && !TOP_LEVEL_FLAGS.has(argv[0]);
  // `alertgate --config DIR validate`: a command after the options (not --config's value).
  const misplaced = optionsFirst ? argv.find((a, i) => Object.hasOwn(commands, a) && argv[i - 1] !== '--config') : undefined;
  if (misplaced !== undefined) {
    io.stderr(`alertgate: put the command first: alertgate ${misplaced} ${argv.filter((a) => a !== misplaced).join(' ')}\n\n${USAGE}`);
    return 2;
  }
  const [name = 'serve', ...rest] = optionsFirst ? ['serve', ...argv] : argv;
  if (name === 'help' && rest.length > 0) return main([rest[0]!, '--help'], io);
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (name === '--version') {
    io.stdout(`alertgate ${packageVersion()}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    io.stderr(`alertgate: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  const command = await load();
  // Asked for anywhere among the arguments, as most CLIs do; no option of ours takes it as a value.
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.help}\n`);
    return 0;
  }
  return command.run(rest, io);
}

/**
 * @module cli/io
 * What a CLI command may touch. Commands take it as a parameter so tests run them in-process
 * and read exactly what a user would see.
 */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type Command = (argv: string[], io: CliIO) => Promise<number>;

/**
 * Set once the reader of stdout has gone (`alertgate validate | head -1`): nobody reads what
 * follows, so it is dropped; the command still runs to its end and exits with its own code.
 */
let stdoutClosed = false;

/**
 * Without a listener, the EPIPE a write to a closed pipe gets is an unhandled 'error' event:
 * Node prints a stack trace on stderr and exits 1 whatever the command found. Called by the
 * process entry point (cli/run.ts) only: in-process callers own their streams.
 */
export function tolerateClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stdoutClosed = true;
  });
}

export const processIO: CliIO = {
  stdout: (t) => {
    if (!stdoutClosed) process.stdout.write(t.endsWith('\n') ? t : `${t}\n`);
  },
  stderr: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  env: process.env,
  cwd: process.cwd(),
};

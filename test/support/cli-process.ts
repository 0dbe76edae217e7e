/**
 * Test harness: `alertgate <args>` as a CI pipeline runs it (src/ as compiled for this test run:
 * support/alertgate-command.ts), a real process whose exit code, stdout and stderr a test reads
 * once it has ended.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ALERTGATE_ENV, alertgateArgs } from './alertgate-command.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `alertgate <args>` to its end, from the repository root or `cwd`, with only PATH, HOME and `env` set.
 * `closeStdout`: the reader of stdout goes away before the command writes anything, as
 * `| head -1` does once it has its line (the process takes far longer to start than this takes
 * to close). `deadlineMs`: killed (code null) if it has not exited by then. `cwd`: the working
 * directory (a folder that is not the config dir, say).
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  opts: { closeStdout?: boolean; deadlineMs?: number; cwd?: string } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [...alertgateArgs(), ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...ALERTGATE_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  // Decoded as a stream: a chunk of the pipe may end inside a multi-byte character (—, →, …),
  // which a chunk's own toString() turned into U+FFFD on both sides of the cut.
  if (opts.closeStdout) child.stdout.destroy();
  else child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // Generous: a process start took up to 26 s on a loaded 2-core machine (support/gateway-process.ts).
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.deadlineMs ?? 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/**
 * `alertgate serve` as a process: a start that cannot work ends with one line saying why and
 * exit 1, never a Node stack trace. And the arguments every command takes: --help, --version,
 * and none unexpected for serve.
 */
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { startFakeSlack } from '../src/testing/fake-slack.js';
import { runCli as runCliProcess } from './support/cli-process.js';
import { ESTATE_DIR } from './support/gateway.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `alertgate <args>` as a process, with settings that harm nothing should the gateway start. */
const runCli = (args: string[], env: Record<string, string>, opts: Parameters<typeof runCliProcess>[2] = {}) =>
  runCliProcess(args, { ALERTGATE_CONFIG_DIR: ESTATE_DIR, DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'error', ...env }, opts);

describe('serve cannot listen', () => {
  let taken: net.Server;
  let port: number;
  beforeAll(async () => {
    taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  it('a port in use: one line naming HOST:PORT and the code, exit 1', async () => {
    const r = await runCli(['serve'], { HOST: '127.0.0.1', PORT: String(port) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^alertgate: cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE\\b.*\\n$`));
  });

  it('a HOST that is not an address of this machine: the same, with its code', async () => {
    const r = await runCli(['serve'], { HOST: '192.0.2.1', PORT: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^alertgate: cannot listen on 192\.0\.2\.1:0: EADDRNOTAVAIL\b.*\n$/);
  });

  it('a PORT that is not a port: refused naming PORT, exit 1', async () => {
    const r = await runCli(['serve'], { PORT: '0x50' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('alertgate: PORT must be a port number from 0 to 65535, got "0x50"\n');
  });
});

describe('serve with a URL variable that is not a URL', () => {
  it('PAGERDUTY_EVENTS_URL=notaurl: refused before anything starts, naming it, exit 1', async () => {
    const r = await runCli(['serve'], { HOST: '127.0.0.1', PORT: '0', PAGERDUTY_EVENTS_URL: 'notaurl' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('alertgate: PAGERDUTY_EVENTS_URL must be an http(s) URL such as https://events.pagerduty.com\n');
    expect(r.stdout).toBe('');
  });
});

describe('serve with SLACK_API_URL holding a user name and password', () => {
  it('is refused before anything starts, naming it and not the password; the Slack behind it hears nothing', async () => {
    const slack = await startFakeSlack({ token: 'xoxb-serve-test' });
    try {
      const apiUrl = slack.url.replace('http://', 'http://proxyuser:pr0xy-Passw0rd@');
      // Old code started and ran: bounded, so that shows as a failure rather than a hang.
      const r = await runCli(['serve'], { HOST: '127.0.0.1', PORT: '0', SLACK_TOKEN: 'xoxb-serve-test', SLACK_API_URL: apiUrl }, { deadlineMs: 20_000 });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^alertgate: SLACK_API_URL: a user name or password in it .*\n$/);
      expect(r.stderr).not.toContain('pr0xy');
      expect(r.stderr).not.toContain('proxyuser');
      expect(r.stdout).toBe('');
      expect(slack.requests).toEqual([]);
    } finally {
      await slack.close();
    }
  });
});

describe('serve with a token file that holds no token', () => {
  it('WEBHOOK_TOKEN_FILE of blank lines: refused at start naming it, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alertgate-blank-token-'));
    const file = join(dir, 'webhook-token');
    writeFileSync(file, '\n   \n\t\n');
    try {
      const r = await runCli(['serve'], { HOST: '127.0.0.1', PORT: '0', WEBHOOK_TOKEN_FILE: file });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`alertgate: WEBHOOK_TOKEN_FILE: cannot read secret from ${file}: the file is empty or holds only blank lines\n`);
      expect(r.stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** `alertgate <args>` in this process, with what it printed. */
async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  // Settings that harm nothing should a regression start the gateway after all.
  const env = { HOST: '127.0.0.1', PORT: '0', DATABASE_URL: 'sqlite::memory:', ALERTGATE_CONFIG_DIR: ESTATE_DIR, LOG_LEVEL: 'error' };
  const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: ROOT });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('command-line arguments', () => {
  it('serve refuses an unexpected argument with its usage, exit 2, before starting anything', async () => {
    for (const args of [['--port', '9090'], ['extra'], ['--json']]) {
      const r = await cli(['serve', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`serve: unexpected argument "${args[0]}"\nusage: alertgate serve [--config DIR]   (other settings come from the environment: PORT, DATABASE_URL, …; see README "Environment")`);
      expect(r.stdout).toBe('');
    }
  });

  it.each(['serve', 'validate', 'route-test', 'generate', 'uptime'])('%s --help prints its usage and exits 0', async (command) => {
    for (const help of ['--help', '-h']) {
      const r = await cli([command, help]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: alertgate ${command}\\b`));
      expect(r.stderr).toBe('');
    }
  });

  it('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `alertgate ${version}\n`, stderr: '' });
  });
});

/**
 * The CLI as a CI pipeline runs it: a real process, its exit code, and what lands on stdout and
 * stderr (a closed pipe, a config dir that is missing or a file, flags given twice, help texts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli-process.js';

const scratch = mkdtempSync(join(tmpdir(), 'alertgate-cli-process-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('stdout closed by its reader (alertgate validate | head -1)', () => {
  it('prints no EPIPE stack trace and keeps the exit code of what the command found', async () => {
    const r = await runCli(['validate'], { ALERTGATE_CONFIG_DIR: 'test/fixtures/routes-broken' }, { closeStdout: true });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
  });

  it('exits 0 for a valid config', async () => {
    const r = await runCli(['validate'], { ALERTGATE_CONFIG_DIR: 'test/fixtures/estate', FALLBACK_TEAM: 'platform' }, { closeStdout: true });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('a config dir that does not exist or is a file', () => {
  const missing = join(scratch, 'no-such-dir');
  const file = join(scratch, 'a-file');
  writeFileSync(file, 'not a dir\n');
  // serve's settings harm nothing should it start after all.
  const settings = { FALLBACK_TEAM: 'platform', THANOS_URL: 'http://127.0.0.1:9', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: 'sqlite::memory:' };
  const env = (dir: string) => ({ ALERTGATE_CONFIG_DIR: dir, ...settings });
  const commands: [string, string[]][] = [
    ['validate', ['validate']],
    ['route-test', ['route-test', '--labels', 'namespace=payments-prod']],
    ['uptime', ['uptime', '--team', 'payments']],
    ['generate', ['generate', '--out', join(scratch, 'out')]],
    ['serve', ['serve']],
  ];

  for (const [name, args] of commands) {
    it(`${name}: one line on stderr naming the missing path, exit 1`, async () => {
      const r = await runCli(args, env(missing));
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${name}: config dir ${missing} (ALERTGATE_CONFIG_DIR) does not exist${name === 'generate' ? '; nothing written' : ''}\n`);
    });

    it(`${name}: one line on stderr naming the file that is not a directory, exit 1`, async () => {
      const r = await runCli(args, env(file));
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${name}: config dir ${file} (ALERTGATE_CONFIG_DIR) is not a directory${name === 'generate' ? '; nothing written' : ''}\n`);
    });
  }

  for (const [name, args] of commands) {
    it(`${name} names --config when the path came from it, though ALERTGATE_CONFIG_DIR names a dir that is fine`, async () => {
      const r = await runCli([...args, '--config', missing], env('test/fixtures/estate'));
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${name}: config dir ${missing} (--config) does not exist${name === 'generate' ? '; nothing written' : ''}\n`);
    });
  }
});

describe('a single-valued flag given twice', () => {
  const cases: [string, string[], string][] = [
    ['uptime', ['uptime', '--team', 'payments', '--team=prisons'], '--team'],
    ['uptime', ['uptime', '--team', 'payments', '--format', 'json', '--format', 'csv'], '--format'],
    ['generate', ['generate', '--out', join(scratch, 'a'), '--out', join(scratch, 'b')], '--out'],
    ['generate', ['generate', '--out', join(scratch, 'a'), '--config=.', '--config', 'test/fixtures/estate'], '--config'],
    ['validate', ['validate', '--config=.', '--config', 'test/fixtures/estate'], '--config'],
    ['route-test', ['route-test', '--labels', 'team=payments', '--config', '.', '--config=test/fixtures/estate'], '--config'],
    ['uptime', ['uptime', '--team', 'payments', '--config', '.', '--config', 'test/fixtures/estate'], '--config'],
    ['serve', ['serve', '--config', '.', '--config', 'test/fixtures/estate'], '--config'],
  ];
  for (const [name, args, flag] of cases) {
    it(`${name} with ${flag} twice: refused naming it, usage on stderr, exit 2, nothing done`, async () => {
      const r = await runCli(args, { FALLBACK_TEAM: 'platform', THANOS_URL: 'http://127.0.0.1:9', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: 'sqlite::memory:' });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^${name}: ${flag} given twice; it takes one value\\nusage: alertgate ${name} `));
    });
  }

  it('generate --rule-label, which adds up, may still be given several times', async () => {
    const out = join(scratch, 'labels');
    const r = await runCli(['generate', '--out', out, '--rule-label', 'a=1', '--rule-label', 'b=2'], { FALLBACK_TEAM: 'platform' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('help', () => {
  const commands = ['serve', 'validate', 'route-test', 'generate', 'uptime'];
  for (const command of commands) {
    it(`${command} --help and alertgate help ${command}: usage, what it does and its exit codes on stdout, exit 0`, async () => {
      const [flag, word] = await Promise.all([runCli([command, '--help']), runCli(['help', command])]);
      for (const r of [flag, word]) {
        expect(r.code).toBe(0);
        expect(r.stderr).toBe('');
        const [usage, description] = r.stdout.split('\n\n');
        expect(usage).toMatch(new RegExp(`^usage: alertgate ${command}\\b`));
        expect(description).toMatch(/^[A-Z][\w']* /);
        expect(r.stdout).toMatch(/\nexit codes: 0 [^]*;\s+1 [^]*; 2 usage error/);
        // Every command reads the config dir: each says how to point it elsewhere.
        expect(usage).toContain('[--config DIR]');
        expect(r.stdout).toMatch(/\n {2}--config DIR +config dir \(default: ALERTGATE_CONFIG_DIR or the current directory\)\n/);
      }
      expect(word.stdout).toBe(flag.stdout);
    });
  }

  it('alertgate --help lists the exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\nexit codes: 0 ok; 1 invalid config or failed check; 2 usage error\n');
  });

  it('alertgate help <unknown> is a usage error naming it', async () => {
    const r = await runCli(['help', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^alertgate: unknown command "nope"\n\nusage: alertgate <command>/);
  });
});

describe('generate --out that cannot take the files', () => {
  const file = join(scratch, 'out-file');
  writeFileSync(file, 'keep me\n');

  it('--out naming a file: one line naming it, exit 1, the file untouched', async () => {
    const r = await runCli(['generate', '--out', file], { FALLBACK_TEAM: 'platform' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`generate: --out ${file} is not a directory; nothing written\n`);
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
  });

  it('--out below a file, with --check too: one line naming it, exit 1', async () => {
    for (const check of [[], ['--check']]) {
      const r = await runCli(['generate', '--out', join(file, 'sub'), ...check], { FALLBACK_TEAM: 'platform' });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`generate: --out ${join(file, 'sub')} is not a directory: a part of its path is a file; nothing written\n`);
    }
  });

  it('--out in a filesystem that takes no new directories (/proc): one line naming it, exit 1, at once', async () => {
    // Node's mkdir -p went round ENOENT (the directory) / EEXIST (its parent) for ever there.
    for (const out of ['/proc/alertgate-out', '/proc/alertgate-out/deeper']) {
      const r = await runCli(['generate', '--out', out], { FALLBACK_TEAM: 'platform' }, { deadlineMs: 30_000 });
      expect(r.code, out).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`generate: cannot write --out ${out}: cannot create directory /proc/alertgate-out: /proc exists but takes no new directory there (ENOENT)\n`);
    }
  }, 90_000);

  it('--out that does not exist yet, several levels deep, is created', async () => {
    const out = join(scratch, 'new', 'deeper', 'out');
    const r = await runCli(['generate', '--out', out], { FALLBACK_TEAM: 'platform' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^wrote ${out}: \\d+ created`));
  });
});

describe('serve with a SQLite path where no directory can be made', () => {
  it('DATABASE_URL under /proc: one line naming the path and DATABASE_URL, exit 1, at once', async () => {
    // Node's mkdir -p for the database's folder went round ENOENT / EEXIST for ever there, and
    // the blocked event loop left even SIGTERM unanswered.
    for (const folder of ['/proc/alertgate-db', '/proc/alertgate-db/deeper']) {
      const env = { HOST: '127.0.0.1', PORT: '0', DATABASE_URL: `sqlite:${folder}/alertgate.db`, ALERTGATE_CONFIG_DIR: 'test/fixtures/estate', LOG_LEVEL: 'error' };
      const r = await runCli(['serve'], env, { deadlineMs: 30_000 });
      expect(r.code, folder).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `alertgate: cannot open SQLite store at ${folder}/alertgate.db (DATABASE_URL): cannot create directory /proc/alertgate-db: /proc exists but takes no new directory there (ENOENT)\n`,
      );
    }
  }, 90_000);
});

describe('route-test --labels followed by a flag instead of its value', () => {
  it('says --labels needs a value, naming the flag, exit 2, nothing on stdout', async () => {
    const r = await runCli(['route-test', '--labels', '--json'], { ALERTGATE_CONFIG_DIR: 'test/fixtures/estate', FALLBACK_TEAM: 'platform' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^route-test: --labels needs a value, got the flag "--json" .*\nusage: alertgate route-test /);
  });
});

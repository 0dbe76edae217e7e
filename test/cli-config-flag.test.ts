/**
 * `--config DIR` on every command that reads the config dir, as a platform engineer runs them from
 * wherever their shell is: a real process whose working directory holds no config (no routes/),
 * pointed at a fixture config by a path relative to it. ALERTGATE_CONFIG_DIR names a folder that
 * does not exist, so a command that read it instead of the flag would fail.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noSeries, startFakeThanos, type FakeThanos } from '../src/uptime/fake-thanos.case.js';
import type { UptimeReport } from '../src/uptime/report-types.js';
import { runCli } from './support/cli-process.js';
import { spawnGateway, START_TIMEOUT_MS } from './support/gateway-process.js';
import { writeConfigDir } from './support/prometheus-uptime-fixture.js';

let scratch: string;
/** The working directory: no routes/, rules/ or dashboards/ here. */
let cwd: string;
let thanos: FakeThanos;
/** The fixture config, as given to --config: relative to `cwd`. */
const CONFIG = '../config';
const env = () => ({ ALERTGATE_CONFIG_DIR: join(scratch, 'no-such-dir'), FALLBACK_TEAM: 'platform' });

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'alertgate-cli-config-flag-'));
  cwd = join(scratch, 'elsewhere');
  await mkdir(cwd);
  // Teams payments, prisons, platform, each with uptime checks in rules/.
  await writeConfigDir(join(scratch, 'config'));
  thanos = await startFakeThanos((_, path) => ({ status: 200, body: noSeries(path) }));
});
afterAll(async () => {
  await thanos?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('--config DIR from another working directory, winning over ALERTGATE_CONFIG_DIR', () => {
  it('validate checks that dir', async () => {
    const r = await runCli(['validate', '--config', CONFIG], env(), { cwd });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok: 3 teams\n');
    expect(r.code).toBe(0);
  });

  it("route-test routes with that dir's teams", async () => {
    const r = await runCli(['route-test', '--labels', 'team=prisons', '--json', `--config=${CONFIG}`], env(), { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ team: 'prisons', attributedBy: 'team-label', receivers: [{ type: 'slack', channel: '#prisons-alerts' }] });
  });

  it("generate writes the dashboards of that dir's uptime checks (as it did before the other commands took --config)", async () => {
    const r = await runCli(['generate', '--config', CONFIG, '--out', 'out'], env(), { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote out: 3 created/);
    expect((await readdir(join(cwd, 'out'))).sort()).toEqual(['payments-grafana-dashboards.yaml', 'platform-grafana-dashboards.yaml', 'prisons-grafana-dashboards.yaml']);
  });

  it("uptime reports on the checks of that dir's rules/", async () => {
    const r = await runCli(['uptime', '--team', 'payments', '--format', 'json', '--config', CONFIG], { ...env(), THANOS_URL: thanos.url }, { cwd });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as UptimeReport;
    expect(report.services.map((s) => s.service).sort()).toEqual(['basket', 'checkout', 'search']);
  });

  it("serve starts with that dir's teams and stops on SIGTERM", async () => {
    const settings = { HOST: '127.0.0.1', PORT: '0', DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'info' };
    const gateway = await spawnGateway({ ...env(), ...settings }, START_TIMEOUT_MS, { cwd, args: ['--config', CONFIG] });
    try {
      const listening = await gateway.waitForLog((l) => l.msg === 'alertgate listening');
      expect((listening.teams as string[]).sort()).toEqual(['payments', 'platform', 'prisons']);
    } finally {
      expect(await gateway.kill('SIGTERM')).toBe(0);
    }
  }, 90_000);
});

describe('--config edge cases', () => {
  it('an empty --config (a shell variable left unset) is refused, not taken for the working directory', async () => {
    for (const args of [['validate', '--config', ''], ['route-test', '--labels', 'team=prisons', '--config=']]) {
      const r = await runCli(args, env(), { cwd });
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${args[0]}: --config is empty: give the config dir\n`);
      expect(r.code).toBe(1);
    }
  });

  it('ALERTGATE_CONFIG_DIR drops surrounding whitespace (a ConfigMap value with its newline), and only whitespace is unset', async () => {
    const given = await runCli(['validate'], { ...env(), ALERTGATE_CONFIG_DIR: ` ${CONFIG}\n` }, { cwd });
    expect({ stderr: given.stderr, code: given.code }).toEqual({ stderr: '', code: 0 });
    const blank = await runCli(['validate'], { ...env(), ALERTGATE_CONFIG_DIR: ' \n' }, { cwd: join(scratch, 'config') });
    expect({ stderr: blank.stderr, code: blank.code }).toEqual({ stderr: '', code: 0 });
  });

  it('a command after the options is pointed out, not taken for serve\'s argument', async () => {
    const r = await runCli(['--config', CONFIG, 'validate'], env(), { cwd });
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^alertgate: put the command first: alertgate validate --config \.\.\/config\n\nusage: alertgate <command>/);
    expect(r.code).toBe(2);
  });

  it('options without a command are serve\'s: alertgate --config DIR serves (docker run image --config DIR)', async () => {
    const r = await runCli(['--config', 'no-such-config'], { ...env(), DATABASE_URL: 'sqlite::memory:' }, { cwd });
    expect(r.stderr).toContain(`serve: config dir ${join(cwd, 'no-such-config')} (--config) does not exist`);
    expect(r.code).toBe(1);
  });
});

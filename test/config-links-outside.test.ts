/**
 * A config file that is a symbolic link to a file outside the config folder is not read. It was:
 * `validate` runs in CI on pull requests, and a pull request adding `rules/x.yaml -> /etc/shadow`
 * (or a CI secret file) had the file parsed as YAML and bits of it printed in the error messages
 * (`root:$6$…: unknown field …`), into the CI log. Now such a file is one error naming it and
 * where the link leads, never what is there: for validate and generate (a real process, as CI
 * runs them) and for the gateway's reload, which keeps the previous config. Links that stay
 * inside the config folder (a ConfigMap mount's `..data`, a config folder that is itself a link)
 * are read as before.
 */
import { cp, mkdir, mkdtemp, readdir, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { routesFile } from './generate-helpers.js';
import { runCli } from './support/cli-process.js';
import { ADMIN_TOKEN, ESTATE_DIR, startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

/** An /etc/shadow line and a CI secret: none of it may reach any output. */
const SECRET_TEXT = 'root:$6$Zq0leak$kT9fSecretHashDoNotPrint:19700:0:99999:7:::\nci_token: ghp_Zq0leakTokenDoNotPrint\n';
const SECRET_BITS = ['Zq0leak', 'root:', 'ci_token', 'DoNotPrint'];

/** `link` (where it is, relative to the config folder) says `target`. */
const OUTSIDE = (file: string, target: string, link = file) =>
  `${file}:1:1 a symbolic link that leads outside the config folder (${link} -> ${target}): not read, and nothing there looked at (alertgate reads only files inside the config folder); copy the file into the config folder or remove the link`;

const temps: string[] = [];
afterAll(() => Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** A file outside any config folder holding SECRET_TEXT, by its real path. */
async function secretFile(): Promise<string> {
  const file = join(await tempDir('alertgate-outside-'), 'shadow');
  await writeFile(file, SECRET_TEXT);
  return realpath(file);
}

/** A valid config of team orders (the fallback team), with `files` besides. */
async function configDir(files: Record<string, string> = {}): Promise<string> {
  const dir = await tempDir('alertgate-links-');
  const all = { 'routes/orders.yaml': routesFile('orders'), 'rules/orders.yaml': RULES('orders'), ...files };
  for (const [rel, text] of Object.entries(all)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

const RULES = (team: string) => `team: ${team}\nnamespace: ${team}-prod\nalerts:\n  - name: ${team[0]!.toUpperCase()}${team.slice(1)}Down\n    expr: up{job="${team}"} == 0\n    severity: critical\n    summary: down\n    runbook: https://runbooks.example/${team}\n`;
const ENV = { FALLBACK_TEAM: 'orders' };
const VALID = 'ok: 2 teams';

function expectNoSecret(...outputs: string[]): void {
  for (const out of outputs) for (const bit of SECRET_BITS) expect(out).not.toContain(bit);
}

async function inProcess(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: ENV, cwd: tmpdir() });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('a config file linked to a file outside the config folder, read by the CLI', () => {
  it('validate fails naming every such file and where it leads, and prints nothing of what is there', async () => {
    const secret = await secretFile();
    const dir = await configDir();
    await rm(join(dir, 'rules', 'orders.yaml'));
    await symlink(secret, join(dir, 'rules', 'orders.yaml'));
    // Relative links, as a pull request would add them.
    await mkdir(join(dir, 'dashboards'));
    await symlink(relative(join(dir, 'dashboards'), secret), join(dir, 'dashboards', 'web.yaml'));
    await symlink(relative(join(dir, 'routes'), secret), join(dir, 'routes', 'web.yaml'));

    const v = await runCli(['validate', '--config', dir], ENV);
    expect(v.code).toBe(1);
    expectNoSecret(v.stdout, v.stderr);
    const lines = v.stdout.trim().split('\n');
    expect(lines).toEqual([
      OUTSIDE('dashboards/web.yaml', relative(join(dir, 'dashboards'), secret)),
      OUTSIDE('routes/web.yaml', relative(join(dir, 'routes'), secret)),
      OUTSIDE('rules/orders.yaml', secret),
      'invalid: 3 errors, 0 warnings',
    ]);
  });

  it('generate fails the same way and writes nothing', async () => {
    const secret = await secretFile();
    const dir = await configDir();
    await rm(join(dir, 'rules', 'orders.yaml'));
    await symlink(secret, join(dir, 'rules', 'orders.yaml'));
    const out = join(dir, 'out');

    const g = await runCli(['generate', '--config', dir, '--out', out], ENV);
    expect(g.code).toBe(1);
    expectNoSecret(g.stdout, g.stderr);
    // Named as validate names it, relative to the config dir.
    expect(g.stderr).toContain(OUTSIDE('rules/orders.yaml', secret));
    expect(g.stderr).toContain('nothing written');
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('refuses a file reached through a folder that is a link to outside (rules/ -> elsewhere)', async () => {
    const secret = await secretFile();
    const dir = await configDir();
    const elsewhere = join(secret, '..', 'rules');
    await mkdir(elsewhere);
    await writeFile(join(elsewhere, 'orders.yaml'), SECRET_TEXT);
    await rm(join(dir, 'rules'), { recursive: true });
    await symlink(elsewhere, join(dir, 'rules'));

    const v = await inProcess(['validate', '--config', dir]);
    expect(v.code).toBe(1);
    expectNoSecret(v.stdout, v.stderr);
    // One error at the folder: nothing in it, nor what it holds, is looked at.
    expect(v.stdout.split('\n')).toEqual([OUTSIDE('rules/', elsewhere, 'rules'), 'invalid: 1 error, 0 warnings']);
  });

  it('reads links that stay inside the config folder: a ConfigMap mount, a shared file, a config folder that is itself a link', async () => {
    const real = await configDir({ 'shared/web.yaml': RULES('web'), 'routes/web.yaml': routesFile('web') });
    // rules/ laid out as the kubelet mounts a ConfigMap: orders.yaml -> ..data/orders.yaml, ..data -> ..2026_01.
    await mkdir(join(real, 'rules', '..2026_01'));
    await rename(join(real, 'rules', 'orders.yaml'), join(real, 'rules', '..2026_01', 'orders.yaml'));
    await symlink('..2026_01', join(real, 'rules', '..data'));
    await symlink(join('..data', 'orders.yaml'), join(real, 'rules', 'orders.yaml'));
    await symlink(join('..', 'shared', 'web.yaml'), join(real, 'rules', 'web.yaml'));
    const linked = join(await tempDir('alertgate-linked-'), 'config');
    await symlink(real, linked);

    const v = await inProcess(['validate', '--config', linked]);
    expect(v).toEqual({ code: 0, stdout: VALID, stderr: '' });
    // A link into the config folder by its linked path.
    await rm(join(real, 'rules', 'web.yaml'));
    await symlink(join(linked, 'shared', 'web.yaml'), join(real, 'rules', 'web.yaml'));
    expect(await inProcess(['validate', '--config', linked])).toEqual({ code: 0, stdout: VALID, stderr: '' });
  });
});

/**
 * Where the link leads is the checkout's (its text), what is there the CI machine's: whether it
 * exists, is a folder or a file, or sits in a folder that does not exist gave different errors
 * (a dangling link, "a folder, not a file", the outside file's real path), which told a pull
 * request's author what exists on the CI machine. Now the refusal is the same, and nothing
 * outside the config folder is looked at.
 */
describe('a config file linked outside the config folder, whatever is there', () => {
  it('validate says the same whether the target is a file, a folder, missing, or under a missing folder', async () => {
    const outside = await tempDir('alertgate-outside-probe-');
    const target = join(outside, 'probe', 'file');
    const dir = await configDir();
    await rm(join(dir, 'rules', 'orders.yaml'));
    await symlink(target, join(dir, 'rules', 'orders.yaml'));
    await mkdir(join(dir, 'dashboards'));
    const relativeLink = relative(join(dir, 'dashboards'), target);
    await symlink(relativeLink, join(dir, 'dashboards', 'orders.yaml'));
    const expected = {
      code: 1,
      stdout: [
        OUTSIDE('dashboards/orders.yaml', relativeLink, 'dashboards/orders.yaml'),
        OUTSIDE('rules/orders.yaml', target, 'rules/orders.yaml'),
        'invalid: 2 errors, 0 warnings',
      ].join('\n'),
      stderr: '',
    };
    // Under a missing folder, then missing, a file, a folder.
    expect(await inProcess(['validate', '--config', dir])).toEqual(expected);
    await mkdir(join(outside, 'probe'));
    expect(await inProcess(['validate', '--config', dir])).toEqual(expected);
    await writeFile(target, SECRET_TEXT);
    expect(await inProcess(['validate', '--config', dir])).toEqual(expected);
    await rm(target);
    await mkdir(target);
    expect(await inProcess(['validate', '--config', dir])).toEqual(expected);
  });
});

describe('a routes file linked to a file outside the config folder, at the gateway\'s start', () => {
  it('serve does not start, naming the file and nothing of it', async () => {
    const secret = await secretFile();
    const dir = await tempDir('alertgate-links-serve-');
    await cp(ESTATE_DIR, dir, { recursive: true });
    await rm(join(dir, 'routes', 'prisons.yaml'));
    await symlink(secret, join(dir, 'routes', 'prisons.yaml'));

    const r = await runCli(['serve', '--config', dir], { HOST: '127.0.0.1', PORT: '0', DATABASE_URL: 'sqlite::memory:' });
    expect(r.code).toBe(1);
    expectNoSecret(r.stdout, r.stderr);
    expect(r.stderr).toContain(OUTSIDE('routes/prisons.yaml', secret));
  });
});

describe('a routes file linked to a file outside the config folder, read by the gateway', () => {
  let fakes: Fakes;
  let t: TestGateway;
  let dir: string;

  beforeEach(async () => {
    dir = await tempDir('alertgate-links-gw-');
    await cp(ESTATE_DIR, dir, { recursive: true });
    fakes = await startFakes();
    t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: dir });
  });
  afterEach(async () => {
    await t.close();
    await fakes.close();
  });

  it('is refused on reload with the error naming it, the previous config kept, and nothing of it logged or answered', async () => {
    const secret = await secretFile();
    const prisons = join(dir, 'routes', 'prisons.yaml');
    await symlink(secret, join(dir, 'routes', '.replacing'));
    await rename(join(dir, 'routes', '.replacing'), prisons);

    const res = await fetch(`${t.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(400);
    const text = await res.text();
    const body = JSON.parse(text) as { error: string; errors: string[] };
    expect(body.error).toContain('previous configuration is kept');
    expect(body.errors).toEqual([OUTSIDE('routes/prisons.yaml', secret)]);
    const metrics = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
    expect(/^alertgate_config_last_reload_successful (\d)/m.exec(metrics)?.[1]).toBe('0');
    expectNoSecret(text, t.logs.join('\n'));

    // Still routing by the previous config.
    await t.post(webhook('{}:{alertname="StillRouted"}', [{ labels: { alertname: 'StillRouted', namespace: 'prisoner-offender-search-prod' } }]));
    const post = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage');
    expect(post.body.channel).toBe('#prisons-alerts');
  });
});

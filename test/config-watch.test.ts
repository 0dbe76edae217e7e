/**
 * A changed config on disk is applied without a signal (CONFIG_RELOAD_INTERVAL): in Kubernetes the
 * kubelet swaps a ConfigMap's files after a merge, and before this every pod kept routing by the
 * old config until someone sent each one SIGHUP. An edited file and a `..data` symlink swap are
 * both seen; rules/ (not read by the reload) is not watched; a broken config is refused once, not at every poll (one that could not be read is read again, its failure logged once while it fails alike), and the fixed one is applied;
 * `0` turns the polling off. Reloads are counted on /metrics by what asked for them (a file change,
 * SIGHUP, `POST /-/reload`) and how they ended: before, only the log told them apart.
 */
import { cp, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, ESTATE_DIR, startFakes, startTestGateway, type Fakes, type LogLine, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let configDir: string;
const started: TestGateway[] = [];

beforeEach(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'alertgate-watch-'));
  await cp(ESTATE_DIR, configDir, { recursive: true });
  fakes = await startFakes();
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.close()));
  await fakes.close();
  await rm(configDir, { recursive: true, force: true });
});

/** Polling every 50 ms (under the 1 s CONFIG_RELOAD_INTERVAL takes: set past it), or, given, as CONFIG_RELOAD_INTERVAL says. */
async function gateway(interval?: string): Promise<TestGateway> {
  const t = await startTestGateway(
    fakes,
    { ALERTGATE_CONFIG_DIR: configDir, ...(interval !== undefined ? { CONFIG_RELOAD_INTERVAL: interval } : {}) },
    interval === undefined ? { configReloadIntervalMs: 50 } : {},
  );
  started.push(t);
  return t;
}

/** The next line of `t` with this message, written after this call. */
function nextLine(t: TestGateway, msg: string): Promise<LogLine> {
  let earlier = t.logs.filter((l) => (JSON.parse(l) as LogLine).msg === msg).length;
  return t.waitForLog((l) => l.msg === msg && earlier-- === 0);
}

const count = (t: TestGateway, msg: string) => t.logs.filter((l) => (JSON.parse(l) as LogLine).msg === msg).length;
const reloadGauge = async (t: TestGateway) => /^alertgate_config_last_reload_successful (\d)/m.exec(await fetch(`${t.gw.url}/metrics`).then((r) => r.text()))?.[1];

/** Posts a prisons alert to `t` and answers the Slack channel it was sent to. */
async function prisonsChannel(t: TestGateway, alertname: string): Promise<unknown> {
  await t.post(webhook(`{}:{alertname="${alertname}"}`, [{ labels: { alertname, namespace: 'prisoner-offender-search-prod' } }]));
  const post = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && String(r.body.text).includes(alertname));
  return post.body.channel;
}

const PRISONS = () => join(configDir, 'routes', 'prisons.yaml');

/** alertgate_config_reloads_total of `t` as /metrics shows it: `${trigger} ${outcome}` → count. */
async function reloadCounts(t: TestGateway): Promise<Record<string, number>> {
  const text = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^alertgate_config_reloads_total\{trigger="(\w+)",outcome="(\w+)"\} (\d+)$/gm)) counts[`${m[1]} ${m[2]}`] = Number(m[3]);
  return counts;
}

/** Scrapes until `t`'s reload counts are `want` (the count follows the reload's log line by a turn of the event loop). */
async function reloadCountsReach(t: TestGateway, want: Record<string, number>): Promise<Record<string, number>> {
  const until = Date.now() + 5_000;
  for (;;) {
    const counts = await reloadCounts(t);
    if (JSON.stringify(counts) === JSON.stringify(want) || Date.now() > until) return counts;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Puts `make`'s file in place of `file` in one rename: no poll sees the team's file missing (hidden names are not read). */
async function replace(file: string, make: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = join(dirname(file), '.replacing');
  await make(tmp);
  await rename(tmp, file);
}

/**
 * `file` with `text`, in one rename: for the tests that count reloads and refusals. A plain
 * writeFile truncates first, and a 50 ms poll landing before its write read an empty file: one
 * reload (and 'invalid configuration') more than the edit made.
 */
const rewrite = (file: string, text: string) => replace(file, (tmp) => writeFile(tmp, text));

/**
 * Makes `file` one whose reads fail while its size, times and inode stay put, inside the config
 * folder and as root too (unlike chmod 000): a sparse file just over the 2 GiB Node reads into one
 * buffer (it takes no disk space, and is refused from its size before a byte is read). A link to
 * /proc/self/mem, which failed with EIO, leads outside the config folder and is now refused
 * unread (config/read-config-file.ts), as a config error rather than a read error.
 */
const unreadable = async (file: string) => {
  await writeFile(file, '');
  await truncate(file, 2 ** 31);
};
/** How the loader reports such a file. */
const CANNOT_READ = (file: string) => `${file}:1:1 cannot read file: ERR_FS_FILE_TOO_LARGE`;

describe('config files changed on disk', () => {
  it('an edited routes file is applied at the next poll, without a signal', async () => {
    const t = await gateway();
    const changed = nextLine(t, 'config changed on disk; reloading');
    const loaded = nextLine(t, 'configuration loaded');
    await writeFile(PRISONS(), (await readFile(PRISONS(), 'utf8')).replace('#prisons-alerts', '#prisons-oncall'));
    expect(await changed).toMatchObject({ added: 0, removed: 0, changed: 1 });
    await loaded;
    expect(await prisonsChannel(t, 'AfterEdit')).toBe('#prisons-oncall');
  });

  it('a change of rules/ alone reloads nothing (the uptime checks read rules/ themselves); a routes change after it is reloaded alone', async () => {
    const t = await gateway();
    const changed = nextLine(t, 'config changed on disk; reloading');
    const loaded = nextLine(t, 'configuration loaded');
    await mkdir(join(configDir, 'rules'));
    await writeFile(join(configDir, 'rules', 'prisons.yaml'), 'team: prisons\ngroups: []\n');
    // Whether a poll falls between these writes or not, the one reload that follows names the
    // routes file only: a poll that saw rules/ would have reloaded for it (added 1) first.
    await rewrite(PRISONS(), (await readFile(PRISONS(), 'utf8')).replace('#prisons-alerts', '#prisons-oncall'));
    expect(await changed).toMatchObject({ added: 0, removed: 0, changed: 1 });
    await loaded;
    expect(await prisonsChannel(t, 'AfterRoutesEdit')).toBe('#prisons-oncall');
    expect(count(t, 'config changed on disk; reloading')).toBe(1);
    expect(count(t, 'configuration loaded')).toBe(2);
  });

  it('sees a Kubernetes ConfigMap update: the `..data` symlink swapped to a new folder', async () => {
    // routes/ laid out as the kubelet mounts a ConfigMap.
    const routes = join(configDir, 'routes');
    const names = (await readdir(routes)).filter((n) => n.endsWith('.yaml'));
    await mkdir(join(routes, '..2026_01'));
    for (const name of names) await rename(join(routes, name), join(routes, '..2026_01', name));
    await symlink('..2026_01', join(routes, '..data'));
    for (const name of names) await symlink(join('..data', name), join(routes, name));

    // Whole seconds: the same times on the new files, to the nanosecond.
    const when = 1_780_000_000;
    for (const name of names) await utimes(join(routes, '..2026_01', name), when, when);

    const t = await gateway();
    // The kubelet's update: a new folder, then `..data` replaced in one rename. The new prisons
    // file has the old one's size and modification time: only its inode tells it apart.
    await mkdir(join(routes, '..2026_02'));
    for (const name of names) await cp(join(routes, '..2026_01', name), join(routes, '..2026_02', name));
    const edited = join(routes, '..2026_02', 'prisons.yaml');
    await writeFile(edited, (await readFile(edited, 'utf8')).replace('#prisons-alerts', '#prisons-oncall'));
    for (const name of names) await utimes(join(routes, '..2026_02', name), when, when);
    const [before, after] = await Promise.all([stat(join(routes, '..2026_01', 'prisons.yaml'), { bigint: true }), stat(edited, { bigint: true })]);
    expect([after.size, after.mtimeNs]).toEqual([before.size, before.mtimeNs]);

    const changed = nextLine(t, 'config changed on disk; reloading');
    const loaded = nextLine(t, 'configuration loaded');
    await symlink('..2026_02', join(routes, '..data_tmp'));
    await rename(join(routes, '..data_tmp'), join(routes, '..data'));
    expect(await changed).toMatchObject({ added: 0, removed: 0, changed: names.length });
    await loaded;
    expect(await prisonsChannel(t, 'AfterSwap')).toBe('#prisons-oncall');
  });

  it('refuses a broken config once, keeps routing by the old one, and applies the fixed one', async () => {
    const t = await gateway();
    const original = await readFile(PRISONS(), 'utf8');
    const refused = nextLine(t, 'invalid configuration');
    await rewrite(PRISONS(), original.replace('owns:', 'ownz:'));
    await refused;
    expect(await reloadGauge(t)).toBe('0');

    // Polls go on over the unchanged broken files without reading them again.
    let polls = 3;
    const unchanged = 'config on disk unchanged since it was refused; not reloading';
    await t.waitForLog((l) => l.msg === unchanged && --polls === 0);
    expect(count(t, 'invalid configuration')).toBe(1);
    expect(await prisonsChannel(t, 'WhileBroken')).toBe('#prisons-alerts');

    const loaded = nextLine(t, 'configuration loaded');
    await rewrite(PRISONS(), original.replace('#prisons-alerts', '#prisons-oncall'));
    await loaded;
    expect(await reloadGauge(t)).toBe('1');
    expect(await prisonsChannel(t, 'AfterFix')).toBe('#prisons-oncall');
  });

  it('reads again at the next poll a config that could not be read while its files look the same, and applies it once it reads', async () => {
    const t = await gateway();
    const original = await readFile(PRISONS(), 'utf8');
    const refused = nextLine(t, 'invalid configuration');
    // Its reads fail while its size, times and inode stay put.
    await replace(PRISONS(), unreadable);
    expect(await refused).toMatchObject({ errors: [CANNOT_READ('routes/prisons.yaml')] });

    // Not "unchanged since it was refused": each poll reads the unchanged files again (and, failing alike, says so at debug).
    let refusals = 3;
    await t.waitForLog((l) => l.msg === 'configuration still invalid as last logged; not logging it again' && --refusals === 0);
    expect(count(t, 'config could not be read at the last load; reading it again')).toBeGreaterThanOrEqual(2);
    expect(count(t, 'config on disk unchanged since it was refused; not reloading')).toBe(0);
    expect(await prisonsChannel(t, 'WhileUnreadable')).toBe('#prisons-alerts');

    const loaded = nextLine(t, 'configuration loaded');
    await replace(PRISONS(), (tmp) => writeFile(tmp, original.replace('#prisons-alerts', '#prisons-oncall')));
    await loaded;
    expect(await reloadGauge(t)).toBe('1');
    expect(await prisonsChannel(t, 'AfterRead')).toBe('#prisons-oncall');
  });

  it('logs a config that stays unreadable once, again when its error or files change, and when it reads again; every poll still counts', async () => {
    const t = await gateway();
    const original = await readFile(PRISONS(), 'utf8');
    const PAYMENTS = join(configDir, 'routes', 'payments.yaml');
    const paymentsText = await readFile(PAYMENTS, 'utf8');
    const again = 'config could not be read at the last load; reading it again';
    /** Resolves once `polls` more polls have re-read the files (the ticker awaits each pass: the one before has ended). */
    const polls = (n: number) => {
      let left = n + 1;
      let earlier = count(t, again);
      return t.waitForLog((l) => l.msg === again && (earlier > 0 ? (earlier--, false) : --left === 0));
    };
    const invalid = (): LogLine[] => t.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'invalid configuration');

    let refused = nextLine(t, 'invalid configuration');
    await replace(PRISONS(), unreadable);
    expect(await refused).toMatchObject({ errors: [CANNOT_READ('routes/prisons.yaml')] });
    await polls(3);
    expect(invalid()).toHaveLength(1);

    // Same error, files changed (another file touched): reported again.
    refused = nextLine(t, 'invalid configuration');
    await utimes(PAYMENTS, new Date(), new Date(Date.now() - 3_600_000));
    expect(await refused).toMatchObject({ errors: [CANNOT_READ('routes/prisons.yaml')] });
    // Another error: reported again, then not while it stays.
    refused = nextLine(t, 'invalid configuration');
    await replace(PAYMENTS, unreadable);
    expect(await refused).toMatchObject({ errors: [CANNOT_READ('routes/payments.yaml'), CANNOT_READ('routes/prisons.yaml')] });
    await polls(3);
    expect(invalid()).toHaveLength(3);
    // A reload asked for by hand logs it, logged already or not.
    expect((await t.gw.reload('signal')).ok).toBe(false);
    expect(invalid()).toHaveLength(4);

    const loaded = nextLine(t, 'configuration loaded');
    await replace(PAYMENTS, (tmp) => writeFile(tmp, paymentsText));
    await replace(PRISONS(), (tmp) => writeFile(tmp, original));
    const recovered = (await loaded).recovered as { failedLoads: number; since: string };
    expect(recovered.failedLoads).toBeGreaterThanOrEqual(4 + 6);
    expect(Date.parse(recovered.since)).toBeLessThan(Date.now());
    // Each poll's reload counted, the logged ones and the others.
    const stillLogged = count(t, 'configuration still invalid as last logged; not logging it again');
    expect(invalid().length + stillLogged).toBe(recovered.failedLoads);
    const none = { 'signal success': 0, 'signal failure': 0, 'api success': 0, 'api failure': 0, 'file_change success': 0, 'file_change failure': 0 };
    const want = { ...none, 'signal failure': 1, 'file_change success': 1, 'file_change failure': recovered.failedLoads - 1 };
    expect(await reloadCountsReach(t, want)).toEqual(want);
  });

  it('counts each reload by trigger and outcome on /metrics, from 0', async () => {
    const t = await gateway();
    const none = { 'signal success': 0, 'signal failure': 0, 'api success': 0, 'api failure': 0, 'file_change success': 0, 'file_change failure': 0 };
    expect(await reloadCounts(t)).toEqual(none);

    const byApi = await fetch(`${t.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(byApi.status).toBe(200);
    expect((await t.gw.reload('signal')).ok).toBe(true);
    expect(await reloadCounts(t)).toEqual({ ...none, 'api success': 1, 'signal success': 1 });

    const original = await readFile(PRISONS(), 'utf8');
    const refused = nextLine(t, 'invalid configuration');
    await rewrite(PRISONS(), original.replace('owns:', 'ownz:'));
    await refused;
    const afterRefusal = { ...none, 'api success': 1, 'signal success': 1, 'file_change failure': 1 };
    expect(await reloadCountsReach(t, afterRefusal)).toEqual(afterRefusal);

    const loaded = nextLine(t, 'configuration loaded');
    await rewrite(PRISONS(), original.replace('#prisons-alerts', '#prisons-oncall'));
    await loaded;
    const afterFix = { ...afterRefusal, 'file_change success': 1 };
    expect(await reloadCountsReach(t, afterFix)).toEqual(afterFix);
  });

  it('CONFIG_RELOAD_INTERVAL=0: the files are not polled', async () => {
    const off = await gateway('0');
    // A gateway polling the same files: once it has applied the edit, a poll of the first would have too.
    const on = await gateway();
    const loaded = nextLine(on, 'configuration loaded');
    await writeFile(PRISONS(), (await readFile(PRISONS(), 'utf8')).replace('#prisons-alerts', '#prisons-oncall'));
    await loaded;
    expect(await prisonsChannel(off, 'NotPolled')).toBe('#prisons-alerts');
    expect(count(off, 'config changed on disk; reloading')).toBe(0);
    expect(count(off, 'configuration loaded')).toBe(1);
  });
});

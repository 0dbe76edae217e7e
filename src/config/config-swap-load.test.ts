/**
 * A config folder mounted as the kubelet mounts a ConfigMap whose items have paths
 * (`routes -> ..data/routes`, `rules -> ..data/rules`, `..data -> ..<timestamp>`; git-sync's
 * `repo -> worktree-<hash>` is the same swap one level up), its `..data` swapped to the next
 * version while the gateway loads. The listing of a folder and the reads of its files must see
 * one version: listed below the folder as given and read below the real path, a swap between the
 * two gave "cannot read file: ENOENT" for a file only the old version had (retried at the next
 * poll, logged as an invalid configuration), or one version's listing with the other's files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRoutingConfig } from './load-routes.js';
import { loadTeamSpecs } from './load-team-specs.js';
import { formatSourceError } from './source-error.js';
import { routesFile } from '../../test/generate-helpers.js';

const temps: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children.splice(0)) c.kill();
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const RULES = (team: string, version: string) =>
  `team: ${team}\nnamespace: ${team}-prod\nalerts:\n  - name: Down${version}\n    expr: up{job="${team}"} == 0\n    severity: critical\n    summary: down\n    runbook: https://runbooks.example/${team}\n`;

/** Two versions: A has teams orders and web, B orders and shop; orders' files differ. */
const VERSIONS = { A: ['orders', 'web'], B: ['orders', 'shop'] } as const;

async function mountedConfig(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'alertgate-cm-swap-'));
  temps.push(dir);
  for (const [version, teams] of Object.entries(VERSIONS)) {
    for (const folder of ['routes', 'rules']) await mkdir(join(dir, `..${version}`, folder), { recursive: true });
    for (const team of teams) {
      await writeFile(join(dir, `..${version}`, 'routes', `${team}.yaml`), routesFile(team).replace(`#${team}`, `#${team}-${version.toLowerCase()}`));
      await writeFile(join(dir, `..${version}`, 'rules', `${team}.yaml`), RULES(team, version));
    }
  }
  await symlink('..A', join(dir, '..data'));
  for (const folder of ['routes', 'rules']) await symlink(join('..data', folder), join(dir, folder));
  return dir;
}

/**
 * A process swapping `..data` between the versions `..A` and `..B`: a burst of FLIPS swaps per
 * line it is sent (odd, so each burst leaves the other version), answering once done. A burst
 * runs alongside the loads the test starts at the same moment; bounded, it takes little CPU
 * (a busy loop took a whole CPU for the test's length, starving the other tests).
 */
const FLIPS = 21;
function flipping(dir: string): Swapper {
  const script = `
    const fs = require('node:fs'); const path = require('node:path');
    const dir = process.argv[1]; let i = 0;
    require('node:readline').createInterface({ input: process.stdin }).on('line', () => {
      for (let n = 0; n < ${FLIPS}; n++) {
        const tmp = path.join(dir, '..data_tmp');
        fs.symlinkSync(i++ % 2 ? '..A' : '..B', tmp);
        fs.renameSync(tmp, path.join(dir, '..data'));
      }
      process.stdout.write('done\\n');
    });`;
  return handshake(spawn(process.execPath, ['-e', script, dir], { stdio: ['pipe', 'pipe', 'inherit'] }));
}

/** A process changing the mount: `swap()` sends it a line and resolves at its answer. */
interface Swapper {
  swap: () => Promise<void>;
  child: ChildProcess;
}

/** `child` sent a line per call, the call resolved at its answer. */
function handshake(child: ChildProcess): Swapper {
  children.push(child);
  child.stdout!.setEncoding('utf8');
  return {
    child,
    swap: () => {
      const done = once(child.stdout!, 'data').then(() => undefined);
      child.stdin!.write('go\n');
      return done;
    },
  };
}

/**
 * A process updating the mount as the kubelet does, once per line it is sent: the next version
 * written to a new folder, `..data` swapped to it, the old folder removed at once. Each update
 * runs alongside a load the test starts at the same moment; `swap()` resolves once it is done.
 */
function kubelet(dir: string): Swapper {
  const script = `
    const fs = require('node:fs'); const path = require('node:path');
    const dir = process.argv[1]; let i = 0; let old = '..A';
    require('node:readline').createInterface({ input: process.stdin }).on('line', () => {
      const version = i % 2 ? 'A' : 'B';
      const folder = '..' + version + '_' + i++;
      fs.cpSync(path.join(dir, '..' + version), path.join(dir, folder), { recursive: true });
      fs.symlinkSync(folder, path.join(dir, '..data_tmp'));
      fs.renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
      if (old !== '..A') fs.rmSync(path.join(dir, old), { recursive: true });
      old = folder;
      process.stdout.write('done\\n');
    });`;
  return handshake(spawn(process.execPath, ['-e', script, dir], { stdio: ['pipe', 'pipe', 'inherit'] }));
}

/** What a mount's versions load as: routes/ as `team:channel`, rules/ as `team:alerts`, and the teams routes/ has. */
interface Versions {
  routes: readonly string[];
  rules: readonly string[];
  teams: readonly string[];
}

const SWAPPED: Versions = {
  routes: ['orders:#orders-a web:#web-a', 'orders:#orders-b shop:#shop-b'],
  rules: ['orders:DownA web:DownA', 'orders:DownB shop:DownB'],
  teams: ['orders', 'web', 'shop'],
};

/**
 * `times` loads of routes/ and of rules/ of `dir`, each alongside one `swap()`: each load one of
 * `versions`, with no problem; the versions loaded. The swapping process is killed after.
 */
async function loadsDuring(dir: string, versions: Versions, swapper: Swapper, times: number): Promise<Set<string>> {
  const seen = new Set<string>();
  try {
    for (let i = 0; i < times; i++) {
      const [, routes, rules] = await Promise.all([
        swapper.swap(),
        loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders' }, { nonFileEntries: 'warning' }),
        loadTeamSpecs(dir, { routeTeams: new Set(versions.teams), rulesOnly: true, nonFileEntries: 'warning' }),
      ]);
      expect([...routes.errors, ...routes.warnings, ...rules.errors, ...rules.warnings].map(formatSourceError)).toEqual([]);
      const teams = [...routes.config!.teams.values()].map((t) => `${t.team}:${t.slack?.channel}`).sort().join(' ');
      const alerts = rules.specs!.teams.map((t) => `${t.team}:${t.rules?.alerts.map((a) => a.name).join()}`).join(' ');
      expect(versions.routes).toContain(teams);
      expect(versions.rules).toContain(alerts);
      seen.add(teams).add(alerts);
    }
  } finally {
    swapper.child.kill();
  }
  return seen;
}

describe('a ConfigMap mount whose ..data is swapped while it is loaded', () => {
  it('flipped back and forth: every load of routes/ and of rules/ is one version, whole, with no error', async () => {
    const dir = await mountedConfig();
    const seen = await loadsDuring(dir, SWAPPED, flipping(dir), 150);
    // The swaps did happen under the loads: both versions were loaded.
    expect(seen).toEqual(new Set([...SWAPPED.routes, ...SWAPPED.rules]));
  });

  it('updated as the kubelet does (the old version removed at once), during each load: one version, whole, with no error', async () => {
    const dir = await mountedConfig();
    const seen = await loadsDuring(dir, SWAPPED, kubelet(dir), 100);
    expect(seen).toEqual(new Set([...SWAPPED.routes, ...SWAPPED.rules]));
  });
});

/**
 * The layout deploy/kubernetes/deployment.yaml ships: one ConfigMap volume mounted at routes/,
 * another at rules/, so routes/ and rules/ stay put and only each one's `..data` moves
 * (`routes/..2026_0/orders.yaml`, `routes/..data -> ..2026_0`, `routes/orders.yaml -> ..data/orders.yaml`).
 * Both versions have teams orders and web (an update of their contents: the kubelet's links to
 * the files stay), the channels and alert names differing.
 */
const PER_FOLDER: Versions = {
  routes: ['orders:#orders-a web:#web-a', 'orders:#orders-b web:#web-b'],
  rules: ['orders:DownA web:DownA', 'orders:DownB web:DownB'],
  teams: ['orders', 'web'],
};

async function perFolderMount(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'alertgate-cm-folder-'));
  temps.push(dir);
  for (const version of ['A', 'B']) {
    for (const folder of ['routes', 'rules']) await mkdir(join(dir, '.versions', version, folder), { recursive: true });
    for (const team of ['orders', 'web']) {
      await writeFile(join(dir, '.versions', version, 'routes', `${team}.yaml`), routesFile(team).replace(`#${team}`, `#${team}-${version.toLowerCase()}`));
      await writeFile(join(dir, '.versions', version, 'rules', `${team}.yaml`), RULES(team, version));
    }
  }
  for (const folder of ['routes', 'rules']) {
    await mkdir(join(dir, folder));
    await cp(join(dir, '.versions', 'A', folder), join(dir, folder, '..2026_0'), { recursive: true });
    await symlink('..2026_0', join(dir, folder, '..data'));
    for (const team of ['orders', 'web']) await symlink(`..data/${team}.yaml`, join(dir, folder, `${team}.yaml`));
  }
  return dir;
}

/** The kubelet's update of each folder's volume, once per line: a new timestamped folder, `..data_tmp` renamed over `..data`, the old folder removed. */
function perFolderKubelet(dir: string): Swapper {
  const script = `
    const fs = require('node:fs'); const path = require('node:path');
    const dir = process.argv[1]; let i = 0;
    require('node:readline').createInterface({ input: process.stdin }).on('line', () => {
      i++;
      for (const folder of ['routes', 'rules']) {
        const at = path.join(dir, folder);
        fs.cpSync(path.join(dir, '.versions', i % 2 ? 'B' : 'A', folder), path.join(at, '..2026_' + i), { recursive: true });
        fs.symlinkSync('..2026_' + i, path.join(at, '..data_tmp'));
        fs.renameSync(path.join(at, '..data_tmp'), path.join(at, '..data'));
        fs.rmSync(path.join(at, '..2026_' + (i - 1)), { recursive: true });
      }
      process.stdout.write('done\\n');
    });`;
  return handshake(spawn(process.execPath, ['-e', script, dir], { stdio: ['pipe', 'pipe', 'inherit'] }));
}

describe('one ConfigMap volume per folder (routes/, rules/), each one\'s ..data swapped while it is loaded', () => {
  it('updated as the kubelet does during each load: every load is one version, whole, with no error or warning', async () => {
    const dir = await perFolderMount();
    const seen = await loadsDuring(dir, PER_FOLDER, perFolderKubelet(dir), 100);
    expect(seen).toEqual(new Set([...PER_FOLDER.routes, ...PER_FOLDER.rules]));
  });
});

/**
 * A `.yaml` entry of routes/, rules/ or dashboards/ that is no file: a symbolic link left
 * pointing nowhere by a file moved in a pull request, or a folder. It was skipped without a
 * word, so the team's alerts or boards vanished from the generated output (and generate deleted
 * their files as stale) while validate said ok. In a checkout (the CLI, a pull request's CI) it
 * is an error: validate and generate fail and write nothing. The gateway's reload reads a
 * ConfigMap mount, whose removed files dangle for a moment while the kubelet swaps `..data`: there
 * it is skipped with a warning naming it, and the reload succeeds.
 */
import { mkdir, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import { createLogger } from '../log/logger.js';
import { ConfigHolder } from './config-holder.js';
import { loadRoutingConfig } from './load-routes.js';
import { loadTeamSpecs } from './load-team-specs.js';
import { formatSourceError } from './source-error.js';
import { makeConfigDir, removeTempDirs, routesFile, routeTeamsOf } from '../../test/generate-helpers.js';

afterAll(removeTempDirs);

const DANGLING = (folder: string, what: string) =>
  `${folder}/web.yaml:1:1 a symbolic link to ../shared/web.yaml, which does not exist: team "web" would have no ${what} file; point the link at a file or remove it`;

async function withDanglingLinks(): Promise<string> {
  const dir = await makeConfigDir({ 'routes/orders.yaml': routesFile('orders') });
  await mkdir(path.join(dir, 'rules'));
  await mkdir(path.join(dir, 'dashboards'));
  for (const folder of ['routes', 'rules', 'dashboards']) await symlink('../shared/web.yaml', path.join(dir, folder, 'web.yaml'));
  return dir;
}

async function run(argv: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: { FALLBACK_TEAM: 'orders' }, cwd });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('a .yaml entry that is no file, read from a checkout (the CLI)', () => {
  it('is an error naming where a dangling symbolic link points, in every folder', async () => {
    const dir = await withDanglingLinks();
    const routes = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders' });
    expect(routes.errors.map(formatSourceError)).toEqual([DANGLING('routes', 'routes')]);
    const specs = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    expect(specs.errors.map(formatSourceError)).toEqual([DANGLING('dashboards', 'dashboards'), DANGLING('rules', 'rules')]);
  });

  it('is an error when it is a folder', async () => {
    const dir = await makeConfigDir({ 'routes/orders.yaml': routesFile('orders'), 'rules/web.yaml/readme.txt': 'x' });
    const specs = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    expect(specs.errors.map(formatSourceError)).toEqual([
      'rules/web.yaml:1:1 a folder, not a file: team "web" would have no rules file; rename the folder or move it out of rules/',
    ]);
  });

  it('fails alertgate validate, and alertgate generate writes nothing', async () => {
    const dir = await withDanglingLinks();
    const v = await run(['validate', '--config', dir], dir);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(DANGLING('rules', 'rules'));
    const out = path.join(dir, 'out');
    const g = await run(['generate', '--config', dir, '--out', out], dir);
    expect(g.code).toBe(1);
    expect(g.stderr).toContain('nothing written');
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });
});

describe('a .yaml entry that is no file, read by the gateway (a ConfigMap mount)', () => {
  it('is skipped with a warning, and the reload succeeds', async () => {
    const dir = await withDanglingLinks();
    const logs: string[] = [];
    const holder = new ConfigHolder(dir, { FALLBACK_TEAM: 'orders' }, createLogger({ level: 'info', write: (l) => logs.push(l) }));
    expect(await holder.reload()).toEqual({ ok: true, errors: [] });
    expect(logs.join('\n')).toContain('routes/web.yaml:1:1 warning: a symbolic link to ../shared/web.yaml, which does not exist: skipped, so team \\"web\\" has no routes file');
    const specs = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir), nonFileEntries: 'warning' });
    expect(specs.errors).toEqual([]);
    expect(specs.warnings.map(formatSourceError)).toEqual([
      'dashboards/web.yaml:1:1 warning: a symbolic link to ../shared/web.yaml, which does not exist: skipped, so team "web" has no dashboards file',
      'rules/web.yaml:1:1 warning: a symbolic link to ../shared/web.yaml, which does not exist: skipped, so team "web" has no rules file',
    ]);
  });
});

describe('a broken link that is no ENOENT: through a file (ENOTDIR), or a chain of more than 40 links (ELOOP)', () => {
  /** routes/web.yaml through a file (`orders.yaml/x`), rules/web.yaml a chain of 41 links. */
  async function withBrokenLinks(): Promise<string> {
    const dir = await makeConfigDir({ 'routes/orders.yaml': routesFile('orders') });
    await mkdir(path.join(dir, 'rules'));
    await symlink('orders.yaml/x', path.join(dir, 'routes', 'web.yaml'));
    // web.yaml -> .l1 -> … -> .l40 -> a file: 41 links, no loop (hidden names: not listed themselves).
    await symlink('../routes/orders.yaml', path.join(dir, 'rules', '.l40'));
    for (let i = 1; i < 40; i++) await symlink(`.l${i + 1}`, path.join(dir, 'rules', `.l${i}`));
    await symlink('.l1', path.join(dir, 'rules', 'web.yaml'));
    return dir;
  }
  const LOOP = 'more than 40 symbolic links in a row: a loop?';

  it('the gateway skips them with a warning, as a link to nothing, and loads', async () => {
    const dir = await withBrokenLinks();
    const routes = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders' }, { nonFileEntries: 'warning' });
    expect(routes.errors.map(formatSourceError)).toEqual([]);
    expect(routes.unreadable).toBeUndefined();
    expect(routes.warnings.map(formatSourceError)).toEqual(['routes/web.yaml:1:1 warning: a symbolic link to orders.yaml/x, which does not exist: skipped, so team "web" has no routes file']);
    const specs = await loadTeamSpecs(dir, { routeTeams: new Set(['orders', 'web']), rulesOnly: true, nonFileEntries: 'warning' });
    expect(specs.errors.map(formatSourceError)).toEqual([]);
    expect(specs.warnings.map(formatSourceError)).toEqual([`rules/web.yaml:1:1 warning: ${LOOP}: skipped, so team "web" has no rules file`]);
  });

  it('a checkout (validate) reports them as errors with a plain message', async () => {
    const dir = await withBrokenLinks();
    const routes = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders' });
    expect(routes.errors.map(formatSourceError)).toEqual(['routes/web.yaml:1:1 a symbolic link to orders.yaml/x, which does not exist: team "web" would have no routes file; point the link at a file or remove it']);
    const specs = await loadTeamSpecs(dir, { routeTeams: new Set(['orders', 'web']), rulesOnly: true });
    expect(specs.errors.map(formatSourceError)).toEqual([`rules/web.yaml:1:1 ${LOOP}: team "web" would have no rules file; point the link at a file or remove it`]);
  });
});

describe('a team file named with another ending (orders.YAML, orders.json), which is not read', () => {
  const files = {
    'routes/orders.yaml': routesFile('orders'),
    'routes/README.md': '# how to add a team',
    'rules/orders.YAML': 'team: orders\nnamespace: orders-prod\n',
    'dashboards/orders.json': '{"team": "orders"}',
  };
  it('is an error in a checkout: the team\'s rules or boards would vanish while validate said ok', async () => {
    const dir = await makeConfigDir(files);
    const specs = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    expect(specs.errors.map(formatSourceError)).toEqual([
      'dashboards/orders.json:1:1 not read: team files end in .yaml (or .yml), and JSON is YAML: rename it orders.yaml',
      'rules/orders.YAML:1:1 not read: team files end in .yaml (or .yml), in lower case: rename it orders.yaml',
    ]);
  });
  it('is only a file its team can have: a JSON or YAML file beside the team\'s .yaml, or of no team, is not read and no problem', async () => {
    const dir = await makeConfigDir({
      ...files,
      'routes/orders.json': '{"team": "orders"}',
      'dashboards/Node Exporter Full.json': '{"panels": []}',
      'dashboards/node-exporter-full.json': '{"panels": []}',
      'rules/orders.yaml': 'team: orders\nnamespace: orders-prod\n',
    });
    const specs = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    const routes = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders' });
    expect([...routes.errors, ...specs.errors].map(formatSourceError)).toEqual([
      'dashboards/orders.json:1:1 not read: team files end in .yaml (or .yml), and JSON is YAML: rename it orders.yaml',
    ]);
  });

  it('in routes/, a .json file is no team file: a schema.json for the editor is no problem', async () => {
    // routes/ decides which teams there are, so any name there could be one; JSON files beside
    // the routes (a yaml-language-server schema) are common, and a team's own routes.json would
    // still show as its rules' "has no routes file".
    const dir = await makeConfigDir({ 'routes/orders.yaml': routesFile('orders'), 'routes/schema.json': '{"type": "object"}' });
    const routes = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders' });
    expect(routes.errors.map(formatSourceError)).toEqual([]);
  });

  it("names a team's routes file with another ending in its rules' and dashboards' missing-routes error, and leaves a stray .json alone", async () => {
    // A team whose routes are in routes/orders.json heard only "has no routes/orders.yaml",
    // though the file is right there: the message names it and the rename.
    const dir = await makeConfigDir({
      'routes/ops.yaml': routesFile('ops'),
      'routes/orders.json': '{"team": "orders"}',
      'routes/web.YAML': 'team: web\n',
      'routes/schema.json': '{"type": "object"}',
      'rules/orders.yaml': 'team: orders\nnamespace: orders-prod\n',
      'rules/web.yaml': 'team: web\nnamespace: web-prod\n',
      'dashboards/orders.yaml': 'team: orders\nnamespace: orders-prod\ndashboards: []\n',
      'rules/schema.yaml': 'team: schema\nnamespace: schema-prod\n',
    });
    const specs = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    expect(specs.errors.map(formatSourceError)).toEqual([
      'dashboards/orders.yaml:1:7 team: "orders" has no routes/orders.yaml: every team in dashboards/ needs one; routes/orders.json is not read: team files end in .yaml (or .yml), and JSON is YAML: rename it orders.yaml',
      'rules/orders.yaml:1:7 team: "orders" has no routes/orders.yaml: its alerts would reach no one; routes/orders.json is not read: team files end in .yaml (or .yml), and JSON is YAML: rename it orders.yaml',
      // routes/schema.json is no team's file; a rules/schema.yaml does not make it one (only a .yaml there would).
      'rules/schema.yaml:1:7 team: "schema" has no routes/schema.yaml: its alerts would reach no one; routes/schema.json is not read: team files end in .yaml (or .yml), and JSON is YAML: rename it schema.yaml',
      'rules/web.yaml:1:7 team: "web" has no routes/web.yaml: its alerts would reach no one; routes/web.YAML is not read: team files end in .yaml (or .yml), in lower case: rename it web.yaml',
    ]);
    // routes/ itself stays silent on .json files, a team's or an editor's.
    const routes = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'ops' });
    expect(routes.errors.map(formatSourceError)).toEqual(['routes/web.YAML:1:1 not read: team files end in .yaml (or .yml), in lower case: rename it web.yaml']);
  });

  it("names the fallback team's routes file with another ending in its missing-routes error", async () => {
    const dir = await makeConfigDir({ 'routes/ops.yaml': routesFile('ops'), 'routes/platform.json': '{"team": "platform"}', 'routes/schema.json': '{}' });
    const routes = await loadRoutingConfig(dir, {});
    expect(routes.errors.map(formatSourceError)).toEqual([
      'routes/:1:1 fallback team "platform" (FALLBACK_TEAM) has no routes file routes/platform.yaml: alerts no team owns would have nowhere to go; routes/platform.json is not read: team files end in .yaml (or .yml), and JSON is YAML: rename it platform.yaml',
    ]);
  });

  it('is a warning for the gateway, and other files (README.md) are no problem', async () => {
    const dir = await makeConfigDir({ ...files, 'routes/Ops.Yml': 'team: ops\n' });
    const routes = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders' }, { nonFileEntries: 'warning' });
    expect(routes.errors).toEqual([]);
    expect(routes.warnings.map(formatSourceError)).toEqual(['routes/Ops.Yml:1:1 warning: not read: team files end in .yaml (or .yml), in lower case: rename it ops.yml']);
  });
});

/**
 * A `.yaml` entry of routes/, rules/ or dashboards/ that is no file: a symbolic link left
 * pointing nowhere by a file moved in a pull request, or a folder. It was skipped without a
 * word, so the team's alerts or boards vanished from the generated output (and generate deleted
 * their files as stale) while validate said ok. It is still skipped, as it must be for a
 * ConfigMap mount, whose removed files dangle for a moment while the kubelet swaps `..data`, but
 * with a warning naming it.
 */
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRoutingConfig } from './load-routes.js';
import { loadTeamSpecs } from './load-team-specs.js';
import { formatSourceError } from './source-error.js';
import { makeConfigDir, removeTempDirs, routesFile, routeTeamsOf } from '../../test/generate-helpers.js';

afterAll(removeTempDirs);

describe('a .yaml entry that is no file', () => {
  it('is skipped with a warning naming where a dangling symbolic link points, in every folder', async () => {
    const dir = await makeConfigDir({ 'routes/orders.yaml': routesFile('orders') });
    await mkdir(path.join(dir, 'rules'));
    await mkdir(path.join(dir, 'dashboards'));
    for (const folder of ['routes', 'rules', 'dashboards']) await symlink('../shared/web.yaml', path.join(dir, folder, 'web.yaml'));
    const routes = await loadRoutingConfig(dir, { FALLBACK_TEAM: 'orders' });
    expect(routes.errors).toEqual([]);
    expect(routes.warnings.map(formatSourceError)).toEqual([
      'routes/web.yaml:1:1 warning: a symbolic link to ../shared/web.yaml, which does not exist: skipped, so team "web" has no routes file',
    ]);
    const specs = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    expect(specs.errors).toEqual([]);
    expect(specs.warnings.map(formatSourceError)).toEqual([
      'dashboards/web.yaml:1:1 warning: a symbolic link to ../shared/web.yaml, which does not exist: skipped, so team "web" has no dashboards file',
      'rules/web.yaml:1:1 warning: a symbolic link to ../shared/web.yaml, which does not exist: skipped, so team "web" has no rules file',
    ]);
  });

  it('is skipped with a warning when it is a folder', async () => {
    const dir = await makeConfigDir({ 'routes/orders.yaml': routesFile('orders'), 'rules/web.yaml/readme.txt': 'x' });
    const specs = await loadTeamSpecs(dir, { routeTeams: await routeTeamsOf(dir) });
    expect(specs.warnings.map(formatSourceError)).toEqual(['rules/web.yaml:1:1 warning: a folder, not a file: skipped, so team "web" has no rules file']);
  });
});

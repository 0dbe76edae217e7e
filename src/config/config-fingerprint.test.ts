/**
 * The config watch's look at routes/ (every CONFIG_RELOAD_INTERVAL) walks the links as a load
 * does (fs/read-inside.ts): a file linked outside the config folder is the link, not its target,
 * so nothing there is looked at, and its target appearing or changing is no change of the config
 * (its load is refused the same either way). A change of the link itself is.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFingerprint, sameFingerprint } from './config-fingerprint.js';

const temps: string[] = [];
afterAll(() => Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

async function temp(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

describe('configFingerprint of a routes file linked outside the config folder', () => {
  it('does not look at the target: its appearing or changing changes nothing; the link changing does', async () => {
    const outside = await temp('alertgate-fp-outside-');
    const dir = await temp('alertgate-fp-');
    await mkdir(join(dir, 'routes'));
    await writeFile(join(dir, 'routes', 'orders.yaml'), 'team: orders\n');
    await symlink(join(outside, 'web.yaml'), join(dir, 'routes', 'web.yaml'));

    const missing = await configFingerprint(dir);
    expect([...missing.keys()]).toEqual(['routes/orders.yaml', 'routes/web.yaml']);
    await writeFile(join(outside, 'web.yaml'), 'team: web\n');
    expect(sameFingerprint(missing, await configFingerprint(dir))).toBe(true);
    await writeFile(join(outside, 'web.yaml'), 'team: web\nowns: {}\n');
    expect(sameFingerprint(missing, await configFingerprint(dir))).toBe(true);

    await rm(join(dir, 'routes', 'web.yaml'));
    await symlink(join(outside, 'other.yaml'), join(dir, 'routes', 'web.yaml'));
    expect(sameFingerprint(missing, await configFingerprint(dir))).toBe(false);
  });
});

/**
 * The walk that follows a config folder's links one at a time (fs/read-inside.ts): where a path
 * leads, decided by what the links say, never by a look outside the folder.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileInside, readFileInsideSync, resolveInside, resolveInsideSync, type InsidePath } from './read-inside.js';

const temps: string[] = [];
afterAll(() => Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

/** A folder `top/config` holding `files`, and `top` beside it; both by their real paths. */
async function folder(files: Record<string, string> = {}): Promise<{ top: string; root: string }> {
  const top = await realpath(await mkdtemp(join(tmpdir(), 'alertgate-inside-')));
  temps.push(top);
  const root = join(top, 'config');
  await mkdir(root);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), text);
  }
  return { top, root };
}

/** Both drivers agree; the asynchronous one's answer. */
async function both(root: string, rel: string, given?: string) {
  const a = await resolveInside(root, rel, { givenRoot: given }).then(withoutStats, (e: NodeJS.ErrnoException) => ({ code: e.code }));
  let s: unknown;
  try {
    s = withoutStats(resolveInsideSync(root, rel, { givenRoot: given }));
  } catch (e) {
    s = { code: (e as NodeJS.ErrnoException).code };
  }
  expect(s).toEqual(a);
  return a;
}

/** The answer, its `stats` (when there) checked to be the real path's lstat and left out. */
function withoutStats(to: InsidePath): InsidePath {
  if (to.real === undefined || to.stats === undefined) return to;
  expect(to.stats.isFile()).toBe(true);
  return { real: to.real };
}

describe('resolveInside', () => {
  it('follows links inside, a ConfigMap mount and one back in through the folder\'s own path', async () => {
    const { root } = await folder({ '..2026/x.yaml': 'x', 'shared/y.yaml': 'y' });
    await symlink('..2026', join(root, '..data'));
    await symlink('..data/x.yaml', join(root, 'x.yaml'));
    await symlink(`../${basename(root)}/shared/y.yaml`, join(root, 'y.yaml'));
    await symlink(join(root, 'shared', 'y.yaml'), join(root, 'abs.yaml'));
    expect(await both(root, 'x.yaml')).toEqual({ real: join(root, '..2026', 'x.yaml') });
    expect(await both(root, 'y.yaml')).toEqual({ real: join(root, 'shared', 'y.yaml') });
    expect(await both(root, 'abs.yaml')).toEqual({ real: join(root, 'shared', 'y.yaml') });
  });

  it('refuses by the link that leaves, whatever is there; names the last link of a chain', async () => {
    const { top, root } = await folder();
    await writeFile(join(top, 'there.yaml'), 'secret');
    await symlink('../there.yaml', join(root, 'a.yaml'));
    await symlink('../nowhere/at/all.yaml', join(root, 'b.yaml'));
    await symlink('c2.yaml', join(root, 'c.yaml'));
    await symlink('/etc/passwd', join(root, 'c2.yaml'));
    expect(await both(root, 'a.yaml')).toEqual({ outside: { link: 'a.yaml', target: '../there.yaml' } });
    expect(await both(root, 'b.yaml')).toEqual({ outside: { link: 'b.yaml', target: '../nowhere/at/all.yaml' } });
    expect(await both(root, 'c.yaml')).toEqual({ outside: { link: 'c2.yaml', target: '/etc/passwd' } });
    expect(await readFileInside(root, 'a.yaml')).toEqual({ outside: { link: 'a.yaml', target: '../there.yaml' } });
    expect(readFileInsideSync(root, 'c.yaml')).toEqual({ outside: { link: 'c2.yaml', target: '/etc/passwd' } });
  });

  it('blames the link whose text leads out, not a harmless link followed after it', async () => {
    const { root } = await folder({ 'sub/deeper/x': 'x' });
    await symlink('sub/deeper', join(root, 'lnk'));
    await mkdir(join(root, 'routes'));
    await symlink('../lnk/../../../secret', join(root, 'routes', 'a.yaml'));
    expect(await both(root, 'routes/a.yaml')).toEqual({ outside: { link: 'routes/a.yaml', target: '../lnk/../../../secret' } });
  });

  it('refuses a link to a named pipe (FIFO) instead of waiting forever for a writer', { timeout: 5000 }, async () => {
    const { root } = await folder();
    const fifo = join(root, 'pipe');
    execFileSync('mkfifo', [fifo]);
    await symlink('pipe', join(root, 'p.yaml'));
    try {
      expect(await readFileInside(root, 'p.yaml')).toEqual({ notFile: 'a named pipe (FIFO)' });
      expect(readFileInsideSync(root, 'p.yaml')).toEqual({ notFile: 'a named pipe (FIFO)' });
    } finally {
      // A reader left blocked (the code before) gets its end of file: the test run can end.
      closeSync(openSync(fifo, 'r+'));
    }
  });

  it('takes an absolute link through the path the folder was given as (itself a link)', async () => {
    const { top, root } = await folder({ 'shared/y.yaml': 'y' });
    const given = join(top, 'given');
    await symlink(root, given);
    await symlink(join(given, 'shared', 'y.yaml'), join(root, 'y.yaml'));
    expect(await both(root, 'y.yaml', given)).toEqual({ real: join(root, 'shared', 'y.yaml') });
    expect(await both(root, 'y.yaml')).toEqual({ outside: { link: 'y.yaml', target: join(given, 'shared', 'y.yaml') } });
  });

  it('says what a link to nothing inside says; a missing file, a loop and a file as a folder are errors', async () => {
    const { root } = await folder({ 'f.yaml': 'f' });
    await symlink('gone/x.yaml', join(root, 'd.yaml'));
    await symlink('l2', join(root, 'l1'));
    await symlink('l1', join(root, 'l2'));
    expect(await both(root, 'd.yaml')).toEqual({ dangling: 'gone/x.yaml' });
    expect(await both(root, 'missing.yaml')).toEqual({ code: 'ENOENT' });
    expect(await both(root, 'l1')).toEqual({ code: 'ELOOP' });
    expect(await both(root, 'f.yaml/x')).toEqual({ code: 'ENOTDIR' });
  });
});

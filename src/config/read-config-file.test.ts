/**
 * A file that is a symbolic link to nothing, reaching the reader (its target removed after the
 * folder was listed), is the config's mistake, as the listing reports it (config/skipped-entry.ts):
 * not a read the file system refused, which the gateway's config watch retries at every poll.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configRoot, configRootSync, readConfigFile, readConfigFileSync } from './read-config-file.js';

const temps: string[] = [];
afterAll(() => Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

async function dirWithDanglingLink(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'alertgate-dangling-'));
  temps.push(dir);
  await mkdir(join(dir, 'rules'));
  await symlink(join('..', 'shared', 'web.yaml'), join(dir, 'rules', 'web.yaml'));
  return dir;
}

const DANGLING = {
  file: 'rules/web.yaml',
  line: 1,
  col: 1,
  severity: 'error',
  message: 'a symbolic link to ../shared/web.yaml, which does not exist: team "web" would have no rules file; point the link at a file or remove it',
};

describe('a dangling symbolic link reaching the config file reader', () => {
  it('is the config error the listing gives it, not an unreadable file', async () => {
    const dir = await dirWithDanglingLink();
    expect(await readConfigFile(await configRoot(dir), 'rules/web.yaml')).toEqual({ problem: DANGLING, unreadable: false });
  });

  it('is the same when read synchronously', async () => {
    const dir = await dirWithDanglingLink();
    expect(readConfigFileSync(configRootSync(dir), 'rules/web.yaml')).toEqual({ problem: DANGLING, unreadable: false });
  });

  it('is a warning for the gateway, which skips the file as its listing does (a ConfigMap file removed while ..data is swapped)', async () => {
    const dir = await dirWithDanglingLink();
    const WARNING = { ...DANGLING, severity: 'warning', message: 'a symbolic link to ../shared/web.yaml, which does not exist: skipped, so team "web" has no rules file' };
    expect(await readConfigFile(await configRoot(dir, 'warning'), 'rules/web.yaml')).toEqual({ problem: WARNING, unreadable: false });
    expect(readConfigFileSync(configRootSync(dir, 'warning'), 'rules/web.yaml')).toEqual({ problem: WARNING, unreadable: false });
  });

  it('a file that is simply missing stays a read the file system refused', async () => {
    const dir = await dirWithDanglingLink();
    expect(await readConfigFile(await configRoot(dir), 'rules/gone.yaml')).toEqual({
      problem: { file: 'rules/gone.yaml', line: 1, col: 1, severity: 'error', message: 'cannot read file: ENOENT' },
      unreadable: true,
    });
  });
});

/**
 * git-sync's config dir is a link (`repo -> worktree-<hash>`) swapped to the next commit's
 * worktree while a load may be under way. The files of one load are read below the real path
 * resolved at its start: the first commit's files, whole, not "outside the config folder".
 */
describe('a config dir that is a link swapped during a load', () => {
  async function swappedConfigDir(): Promise<{ link: string; swap: () => Promise<void> }> {
    const top = await mkdtemp(join(tmpdir(), 'alertgate-swap-'));
    temps.push(top);
    for (const [commit, team] of [['worktree-a', 'web'], ['worktree-b', 'web-next']] as const) {
      await mkdir(join(top, commit, 'rules'), { recursive: true });
      await writeFile(join(top, commit, 'rules', 'web.yaml'), `team: ${team}\n`);
    }
    const link = join(top, 'repo');
    await symlink('worktree-a', link);
    return {
      link,
      swap: async () => {
        await symlink('worktree-b', join(top, 'repo.next'));
        await rename(join(top, 'repo.next'), link);
      },
    };
  }

  it('reads the files of the commit the load started on', async () => {
    const { link, swap } = await swappedConfigDir();
    const root = await configRoot(link);
    await swap();
    expect(await readConfigFile(root, 'rules/web.yaml')).toEqual({ bytes: Buffer.from('team: web\n') });
  });

  it('the same when read synchronously', async () => {
    const { link, swap } = await swappedConfigDir();
    const root = configRootSync(link);
    await swap();
    expect(readConfigFileSync(root, 'rules/web.yaml')).toEqual({ bytes: Buffer.from('team: web\n') });
  });
});

describe('a config file that is a link to a named pipe (FIFO), e.g. swapped in after the listing', () => {
  it('is refused with a message saying what it is, not read (which waited forever for a writer)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertgate-fifo-'));
    temps.push(dir);
    await mkdir(join(dir, 'rules'));
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    await symlink('../pipe', join(dir, 'rules', 'web.yaml'));
    const problem = { file: 'rules/web.yaml', line: 1, col: 1, severity: 'error', message: 'a named pipe (FIFO), not a regular file: not read; replace it with a file' };
    expect(await readConfigFile(await configRoot(dir, 'warning'), 'rules/web.yaml')).toEqual({ problem, unreadable: false });
    expect(readConfigFileSync(configRootSync(dir), 'rules/web.yaml')).toEqual({ problem, unreadable: false });
  });
});

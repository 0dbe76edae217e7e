/**
 * Threads started from the TypeScript sources without a compiled copy named (`tsx src/cli/run.ts
 * serve`, a script run with tsx) register tsx in the new thread: the rest of the suite runs
 * threads from the test run's compiled copy (test/global/threads-from-build.setup.ts), so this
 * path is exercised here, with the SQLite writer thread.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { alert, enqueue, group } from '../store/contract/fixtures.case.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { runThreadsFromBuild } from './start-thread.js';

describe('a thread started from the sources, through tsx', () => {
  let dir: string;
  beforeAll(async () => {
    runThreadsFromBuild(undefined);
    dir = await mkdtemp(join(tmpdir(), 'alertgate-thread-tsx-'));
  });
  afterAll(async () => {
    runThreadsFromBuild(inject('compiledSrc'));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs the SQLite writer: a write through it is read back', async () => {
    const store = openSqliteStore(join(dir, 'tsx.db'));
    try {
      await enqueue(store, group('via-tsx', { alerts: [alert('a')] }), []);
      expect((await store.getGroup('via-tsx'))?.alerts.map((a) => a.fingerprint)).toEqual(['a']);
    } finally {
      await store.close();
    }
  });
});

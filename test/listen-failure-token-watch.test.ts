/**
 * A gateway whose listen fails (port taken) stops following its token files: the watches start
 * before the listen, and the listen-failure path closed the store only, so an in-process user
 * (a test, an embedding) kept a timer reading WEBHOOK_TOKEN_FILE, and logging its changes, for
 * a gateway that never started. What is checked is the watch's own state (TokenFileWatch
 * `running`): a read that does not happen is no event to await, so a check of the log after the
 * token file changed could only wait for some polls' time and hope.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../src/config/env.js';
import type { TokenFileWatch } from '../src/http/auth.js';
import { startGateway } from '../src/server.js';
import { gatewayEnv, startFakes, type Fakes } from './support/gateway.js';

describe('a gateway whose listen fails', () => {
  let fakes: Fakes;
  let taken: net.Server;
  let dir: string;
  beforeAll(async () => {
    fakes = await startFakes();
    taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    dir = await mkdtemp(join(tmpdir(), 'alertgate-listen-fail-'));
  });
  afterAll(async () => {
    await new Promise((r) => taken?.close(r));
    await fakes?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stops reading its token files', async () => {
    const tokenFile = join(dir, 'webhook-token');
    await writeFile(tokenFile, 'first-webhook-token\n');
    const env = gatewayEnv(fakes, { DATABASE_URL: `sqlite:${join(dir, 'alertgate.db')}`, WEBHOOK_TOKEN: '', WEBHOOK_TOKEN_FILE: tokenFile });
    const settings = { ...readSettings(env, dir), port: (taken.address() as AddressInfo).port };
    const watches: { watch: TokenFileWatch; runningAtStart: boolean }[] = [];
    const onWatch = (watch: TokenFileWatch) => watches.push({ watch, runningAtStart: watch.running });
    await expect(startGateway({ settings, env, logWrite: () => undefined, tokenRotation: { onWatch } })).rejects.toThrow(/in use|EADDRINUSE/i);
    // The webhook token file's watch ran before the listen, and was stopped when it failed.
    expect(watches.map((w) => [w.runningAtStart, w.watch.running])).toEqual([[true, false]]);
  });
});

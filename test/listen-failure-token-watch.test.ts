/**
 * A gateway whose listen fails (port taken) stops following its token files: the watches start
 * before the listen, and the listen-failure path closed the store only, so an in-process user
 * (a test, an embedding) kept a timer reading WEBHOOK_TOKEN_FILE, and logging its changes, for
 * a gateway that never started.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../src/config/env.js';
import { startGateway } from '../src/server.js';
import { gatewayEnv, startFakes, type Fakes } from './support/gateway.js';

/** How often the token file is checked here; a change is seen within one such poll. */
const POLL_MS = 20;

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
    const env = gatewayEnv(fakes, { DATABASE_URL: `sqlite:${join(dir, 'alertgate.db')}`, WEBHOOK_TOKEN: '', WEBHOOK_TOKEN_FILE: tokenFile, LOG_LEVEL: 'info' });
    const settings = { ...readSettings(env, dir), port: (taken.address() as AddressInfo).port };
    const logs: string[] = [];
    await expect(startGateway({ settings, env, logWrite: (l) => logs.push(l), tokenRotation: { pollMs: POLL_MS, rereadMs: 0 } })).rejects.toThrow(/in use|EADDRINUSE/i);
    await writeFile(tokenFile, 'second-webhook-token\n');
    // Nothing to await for a read that does not happen: ten polls' time, in which a watch left
    // running logs the change (checked: it did, before the fix).
    await new Promise((r) => setTimeout(r, 10 * POLL_MS));
    expect(logs.filter((l) => l.includes('WEBHOOK_TOKEN_FILE changed'))).toEqual([]);
  });
});

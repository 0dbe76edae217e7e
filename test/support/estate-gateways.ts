/**
 * Test harness for a file whose tests change the estate's config under a running gateway, or
 * restart it: per test, fake Slack and PagerDuty, a fresh copy of the estate config (`configDir`)
 * and a folder (`dataDir`) for one SQLite database that outlives the gateway's restarts
 * (startTestGateway's own lives in a folder it deletes). The gateway running at a test's end is
 * closed, then the fakes, and both folders are deleted.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { ADMIN_TOKEN, ESTATE_DIR, startFakes, startTestGateway, type Fakes, type TestGateway } from './gateway.js';

export interface EstateGateways {
  readonly fakes: Fakes;
  readonly configDir: string;
  readonly dataDir: string;
  /** The running gateway (throws when none runs). */
  readonly t: TestGateway;
  /** Starts a gateway on `configDir` and the database in `dataDir` (unless `env` names another). */
  start(env?: Record<string, string>): Promise<TestGateway>;
  /** Closes the running gateway: the first half of a restart. */
  stop(): Promise<void>;
  /** POST /-/reload to the running gateway, which must apply the config. */
  reload(): Promise<void>;
}

/** `prefix`: the temporary folders' name prefix, e.g. 'alertgate-deleted-'. */
export function useEstateGateways(prefix: string, baseEnv: Record<string, string> = {}): EstateGateways {
  let fakes: Fakes | undefined;
  let running: TestGateway | undefined;
  let configDir = '';
  let dataDir = '';
  beforeEach(async () => {
    fakes = await startFakes();
    configDir = await mkdtemp(join(tmpdir(), prefix));
    dataDir = await mkdtemp(join(tmpdir(), `${prefix}db-`));
    await cp(ESTATE_DIR, configDir, { recursive: true });
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await fakes?.close();
    await rm(configDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });
  const rig: EstateGateways = {
    get fakes() {
      if (!fakes) throw new Error('fakes used outside a test');
      return fakes;
    },
    get configDir() {
      return configDir;
    },
    get dataDir() {
      return dataDir;
    },
    get t() {
      if (!running) throw new Error('no gateway is running');
      return running;
    },
    async start(env = {}) {
      running = await startTestGateway(rig.fakes, { ALERTGATE_CONFIG_DIR: configDir, DATABASE_URL: `sqlite:${join(dataDir, 'alertgate.db')}`, ...baseEnv, ...env });
      return running;
    },
    async stop() {
      await running?.close();
      running = undefined;
    },
    async reload() {
      const r = await fetch(`${rig.t.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(r.status).toBe(200);
    },
  };
  return rig;
}

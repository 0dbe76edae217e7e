/**
 * For tests that start real gateway processes and kill them: the fake Slack and PagerDuty, a temp
 * dir for the database, and the processes started (each SIGKILLed after the test, so none
 * outlives it). Registered as beforeEach/afterEach; read the fields inside tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startFakes, type Fakes } from './gateway.js';
import type { GatewayProcess } from './gateway-process.js';

export interface ProcessRig {
  fakes: Fakes;
  dir: string;
  procs: GatewayProcess[];
}

export function useProcessRig(dirPrefix: string): ProcessRig {
  const rig: ProcessRig = { procs: [] } as unknown as ProcessRig;
  beforeEach(async () => {
    rig.fakes = await startFakes();
    rig.dir = await mkdtemp(join(tmpdir(), dirPrefix));
  });
  afterEach(async () => {
    for (const p of rig.procs.splice(0)) await p.kill('SIGKILL');
    await rig.fakes.close();
    await rm(rig.dir, { recursive: true, force: true });
  });
  return rig;
}

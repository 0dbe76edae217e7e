/**
 * Which reloads need a re-attribution pass: those that change what attribution reads (team
 * names, what each owns, the fallback team), not those that change routes or receivers.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadRoutingConfig } from '../config/load-routes.js';
import { ownershipSignature } from './reattribute.js';

const ESTATE_DIR = fileURLToPath(new URL('../../test/fixtures/estate', import.meta.url));
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertgate-ownership-'));
  await cp(ESTATE_DIR, dir, { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function signatureAfter(edit?: { file: string; from: string; to: string }, env: NodeJS.ProcessEnv = {}): Promise<string> {
  if (edit) {
    const path = join(dir, 'routes', edit.file);
    const text = await readFile(path, 'utf8');
    expect(text).toContain(edit.from);
    await writeFile(path, text.replace(edit.from, edit.to));
  }
  const { config, errors } = await loadRoutingConfig(dir, env);
  expect(errors).toEqual([]);
  return ownershipSignature(config);
}

it('changes with what a team owns or the fallback team, not with where alerts go', async () => {
  const before = await signatureAfter();
  expect(await signatureAfter({ file: 'prisons.yaml', from: '#prisons-alerts', to: '#prisons-oncall' })).toBe(before);
  expect(await signatureAfter({ file: 'payments.yaml', from: '[payments-prod, payments-staging]', to: '[payments-prod]' })).not.toBe(before);
  expect(await signatureAfter(undefined, { FALLBACK_TEAM: 'prisons' })).not.toBe(before);
  expect(ownershipSignature(undefined)).toBe('');
});

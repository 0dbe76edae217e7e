import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRoutingKeyResolver } from './routing-key.js';

describe('createRoutingKeyResolver', () => {
  it('reads the key from the environment variable, at call time', () => {
    const env: Record<string, string | undefined> = {};
    const resolve = createRoutingKeyResolver(() => ({ routingKeyEnv: 'PAGERDUTY_PAYMENTS_KEY' }), { env });
    expect(resolve('payments')).toEqual({
      ok: false,
      retryable: true, // a secret synced after start
      error: 'PagerDuty routing key for team "payments": environment variable PAGERDUTY_PAYMENTS_KEY is not set',
    });
    env['PAGERDUTY_PAYMENTS_KEY'] = ' key-from-env \n';
    expect(resolve('payments')).toEqual({ ok: true, key: 'key-from-env' });
  });

  it('reads the key from a file, naming the file (not its content) when it fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertgate-rk-'));
    try {
      const file = join(dir, 'key');
      const resolve = createRoutingKeyResolver(() => ({ routingKeyFile: file }));
      expect(resolve('prisons')).toEqual({ ok: false, retryable: true, error: `PagerDuty routing key for team "prisons": file ${file} could not be read (ENOENT)` });
      await writeFile(file, '\n');
      expect(resolve('prisons')).toEqual({ ok: false, retryable: true, error: `PagerDuty routing key for team "prisons": file ${file} is empty` });
      await writeFile(file, 'file-key\n');
      expect(resolve('prisons')).toEqual({ ok: true, key: 'file-key' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('explains a team without PagerDuty configuration (final: only a config change brings a key)', () => {
    const resolve = createRoutingKeyResolver(() => undefined);
    expect(resolve('web')).toEqual({ ok: false, retryable: false, error: 'PagerDuty routing key for team "web": team has no pagerduty.routingKeyEnv or routingKeyFile configured' });
  });
});

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
    expect(resolve('payments')).toEqual({ ok: true, key: 'key-from-env', source: 'environment variable PAGERDUTY_PAYMENTS_KEY' });
  });

  it('takes a variable named like an inherited member of every object (constructor) for one that is not set', () => {
    for (const name of ['constructor', 'toString', '__proto__']) {
      const resolve = createRoutingKeyResolver(() => ({ routingKeyEnv: name }), { env: process.env });
      expect(resolve('payments')).toEqual({ ok: false, retryable: true, error: `PagerDuty routing key for team "payments": environment variable ${name} is not set` });
    }
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
      expect(resolve('prisons')).toEqual({ ok: true, key: 'file-key', source: `file ${file}` });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('explains a team without PagerDuty configuration (final: only a config change brings a key)', () => {
    const resolve = createRoutingKeyResolver(() => undefined);
    expect(resolve('web')).toEqual({ ok: false, retryable: false, error: 'PagerDuty routing key for team "web": team has no pagerduty.routingKeyEnv or routingKeyFile configured' });
  });

  it("leaves a resolve for a team this process never knew to be retried (a replica that remembers it may take it); a configured team without pagerduty: stays final", () => {
    const teams = new Set(['web']);
    const resolve = createRoutingKeyResolver(() => undefined, { knownTeam: (team) => teams.has(team) });
    const error = 'PagerDuty routing key for team "payments": team has no pagerduty.routingKeyEnv or routingKeyFile configured';
    expect(resolve('payments', 'resolve')).toEqual({ ok: false, retryable: true, error });
    // A trigger is never sent with a remembered key, so no replica can do better with it.
    expect(resolve('payments', 'trigger')).toEqual({ ok: false, retryable: false, error });
    expect(resolve('web', 'resolve')).toMatchObject({ ok: false, retryable: false });
  });

  it("resolves a removed team's incidents with the key source its removed config named; never pages with it, and the live config wins", () => {
    const env = { OLD_KEY: 'old-key', NEW_KEY: 'new-key' };
    let live: { routingKeyEnv: string } | undefined;
    const resolve = createRoutingKeyResolver(() => live, { env, retired: (team) => (team === 'payments' ? { routingKeyEnv: 'OLD_KEY' } : undefined) });
    expect(resolve('payments', 'resolve')).toEqual({ ok: true, key: 'old-key', source: 'environment variable OLD_KEY' });
    expect(resolve('payments', 'trigger')).toMatchObject({ ok: false, retryable: false });
    expect(resolve('payments')).toMatchObject({ ok: false, retryable: false });
    expect(resolve('prisons', 'resolve')).toMatchObject({ ok: false, retryable: false });
    live = { routingKeyEnv: 'NEW_KEY' };
    expect(resolve('payments', 'resolve')).toEqual({ ok: true, key: 'new-key', source: 'environment variable NEW_KEY' });
    // A removed source that no longer resolves says so, and that the config was removed.
    const unset = createRoutingKeyResolver(() => undefined, { env: {}, retired: () => ({ routingKeyEnv: 'OLD_KEY' }) });
    expect(unset('payments', 'resolve')).toEqual({
      ok: false,
      retryable: true,
      error: 'PagerDuty routing key for team "payments" (its pagerduty: config was removed; resolving with the key source it named): environment variable OLD_KEY is not set',
    });
  });

  it("sends an episode's events with the key source it was triggered with while that gives a key, else with the team's, saying why", () => {
    const env: Record<string, string | undefined> = { KEY_A: 'key-a', KEY_B: 'key-b' };
    let live: { routingKeyEnv: string } | undefined = { routingKeyEnv: 'KEY_B' };
    const resolve = createRoutingKeyResolver(() => live, { env });
    const episode = { routingKeyEnv: 'KEY_A' };
    expect(resolve('payments', 'trigger', episode)).toEqual({ ok: true, key: 'key-a', source: 'environment variable KEY_A' });
    expect(resolve('payments', 'resolve', episode)).toEqual({ ok: true, key: 'key-a', source: 'environment variable KEY_A' });
    expect(resolve('payments', 'trigger')).toEqual({ ok: true, key: 'key-b', source: 'environment variable KEY_B' });

    delete env.KEY_A;
    expect(resolve('payments', 'resolve', episode)).toEqual({
      ok: true,
      key: 'key-b',
      source: 'environment variable KEY_B',
      episodeSourceFailed: 'PagerDuty routing key of the episode of team "payments" (the key source it was triggered with): environment variable KEY_A is not set',
    });
    // The team's own source is not the episode's to fail: no word of an episode then.
    delete env.KEY_B;
    expect(resolve('payments', 'resolve', { routingKeyEnv: 'KEY_B' })).toEqual({ ok: false, retryable: true, error: 'PagerDuty routing key for team "payments": environment variable KEY_B is not set' });

    // A team whose pagerduty: is gone: its episode's resolve still goes out, its triggers page no one.
    env.KEY_A = 'key-a';
    live = undefined;
    expect(resolve('payments', 'resolve', episode)).toEqual({ ok: true, key: 'key-a', source: 'environment variable KEY_A' });
    expect(resolve('payments', 'trigger', episode)).toMatchObject({ ok: false, retryable: false });
  });
});

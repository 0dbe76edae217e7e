/**
 * The README quick start: the built `alertgate` binary serves the shipped example estate with
 * SQLite under data/ and, without tokens, logs the exact Slack and PagerDuty requests it would send.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from './support/payloads.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let work: string;

beforeAll(async () => {
  // Build exactly as `npm start` does, so the test runs the code in this tree.
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: ROOT });
  work = await mkdtemp(join(tmpdir(), 'alertgate-quickstart-'));
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('quick start: bin/alertgate.js serve with the shipped estate', () => {
  it('answers /readyz, accepts a webhook and logs the Slack and PagerDuty requests it would send', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/alertgate.js'), 'serve'], {
      // Run from a scratch dir with the repo's estate, like `npm start` (data/ relative to cwd).
      cwd: work,
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ALERTGATE_CONFIG_DIR: ROOT },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // One reader for the process's whole life: a reader closed after each awaited line dropped
    // the part of the next line that had already come (a chunk of the pipe ends mid-line when
    // the process writes a turn's lines while the test is slow to read), and the next reader
    // began mid-line: its JSON.parse threw, or the awaited line was never seen.
    const lines: Record<string, unknown>[] = [];
    const waiters = new Set<() => void>();
    createInterface({ input: child.stdout! }).on('line', (t) => {
      lines.push(JSON.parse(t) as Record<string, unknown>);
      for (const w of waiters) w();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const seen = (p: (l: Record<string, unknown>) => boolean) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const look = () => {
          const hit = lines.find(p);
          if (hit) (waiters.delete(look), resolve(hit));
        };
        waiters.add(look);
        look();
        void exited.then((code) => (waiters.delete(look), reject(new Error(`alertgate exited with ${code}`))));
      });
    try {
      const listening = await seen((l) => l.msg === 'alertgate listening');
      expect(listening.teams).toEqual(expect.arrayContaining(['payments', 'platform', 'prisons']));
      const url = `http://127.0.0.1:${String(listening.port)}`;
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const res = await fetch(`${url}/webhooks/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fixture('alertmanager-v0.34-firing.json')),
      });
      expect(res.status).toBe(202);
      const slack = await seen((l) => l.msg === 'log sink: request not sent' && l.receiver === 'slack');
      expect(JSON.stringify(slack.request)).toContain('chat.postMessage');
      expect(JSON.stringify(slack.request)).toContain('#payments-alerts');
      const pd = await seen((l) => l.msg === 'log sink: request not sent' && l.receiver === 'pagerduty');
      expect(JSON.stringify(pd.request)).toContain('"event_action":"trigger"');
      expect((await stat(join(work, 'data', 'alertgate.db'))).isFile()).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
  }, 90_000);
});

/**
 * Faults in the store, made real: the database lives on a 64 MB tmpfs that is filled to the last
 * byte (disk full), and another process holds SQLite's write lock past the busy timeout (database
 * locked). The webhook answers 503 for what it could not save, so Alertmanager retries; a 202
 * given during the fault was durable (it survives a SIGKILL); after the fault everything is
 * delivered. Mounting needs root (CI runs as root); elsewhere the disk-full case is skipped loudly.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allNotifications, FAULT_SECRETS, sendLikeAlertmanager, startFaultRig, waitForDrain, type FaultRig } from '../support/fault-harness.js';
import { recordFaultRow } from '../support/fault-report.js';
import { WEBHOOK_TOKEN } from '../support/gateway.js';
import { assertNoSecrets } from '../support/secrets.js';
import { buildScripts, type GroupScript } from './scenario.js';
import { deliveredAlerts, verifyFinalStates } from './verify.js';

function tryMountTmpfs(dir: string, size: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `cannot mount a tmpfs (needs root): ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  }
}

const mountPoint = mkdtempSync(join(tmpdir(), 'alertgate-tmpfs-'));
const mountProblem = tryMountTmpfs(mountPoint, '64m');
if (mountProblem) {
  if (process.env.CI === 'true') throw new Error(`store-failure faults need a tmpfs in CI: ${mountProblem}`);
  process.stderr.write(`\n!!! SKIPPING the disk-full fault case: ${mountProblem}\n\n`);
}

let rig: FaultRig;
beforeAll(async () => {
  const dataDir = join(mountProblem ? mkdtempSync(join(tmpdir(), 'alertgate-store-')) : mountPoint, 'data');
  mkdirSync(dataDir, { recursive: true });
  rig = await startFaultRig({ dataDir });
});
afterAll(async () => {
  if (rig) assertNoSecrets(rig.logLines(), FAULT_SECRETS);
  await rig?.close();
  if (!mountProblem) execFileSync('umount', [mountPoint]);
  rmdirSync(mountPoint);
});

/** One plain attempt (no retry): what Alertmanager's first try would get. */
async function postOnce(url: string, body: unknown): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: Date.now() - started };
}

/**
 * The step's body with a big annotation on each alert, so a commit needs fresh disk blocks. On
 * the alerts, not in commonAnnotations alone: alertgate keeps only the common annotations every
 * alert has (model/common-fields.ts), as Alertmanager's are. Each alert's own (its instance
 * first): not common, so the Slack header does not carry it.
 */
function big(script: GroupScript): Record<string, unknown> {
  const body = structuredClone(script.steps[0]!);
  for (const a of body.alerts as { labels: Record<string, string>; annotations: Record<string, string> }[]) {
    a.annotations.notes = `${a.labels.instance} runbook notes ${'x'.repeat(256 * 1024)}`;
  }
  return body;
}

/** Writes a filler file until the file system is full; returns its path. */
function fillDisk(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  // The last partial chunk too: byte by byte until not one more fits.
  const fd2 = openSync(path, 'a');
  try {
    for (;;) writeSync(fd2, Buffer.alloc(512, 1));
  } catch {
    // ENOSPC: full
  } finally {
    closeSync(fd2);
  }
  return path;
}

describe('store failures', () => {
  it('database locked by another writer past the busy timeout → 503, then accepted on retry and delivered', async () => {
    const gw = await rig.start();
    const [script] = buildScripts({ seed: 55, groups: 1, steps: 1 }) as [GroupScript];
    const other = new Database(join(rig.dataDir, 'alertgate.db'));
    other.exec('BEGIN IMMEDIATE');
    let first: { status: number; ms: number };
    try {
      first = await postOnce(gw.url, script.steps[0]);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(first.status).toBe(503);
    expect(first.ms).toBeGreaterThanOrEqual(4500); // SQLite's busy timeout (5 s) ran out first
    const retried = await sendLikeAlertmanager(gw.url, script.steps[0]);
    expect(retried.status).toBe(202);
    await waitForDrain(gw.url, 30_000);
    const verdicts = verifyFinalStates([script], rig.fakes.slack, rig.fakes.pagerduty);
    expect(verdicts.flatMap((v) => v.problems)).toEqual([]);
    recordFaultRow({
      case: 'Store: database locked by another writer',
      alertsSent: script.instances.length,
      delivered: deliveredAlerts(verdicts),
      dead: 0,
      lost: script.instances.length - deliveredAlerts(verdicts),
      duplicated: 0,
      notes: `503 after ${(first.ms / 1000).toFixed(1)} s (busy timeout), accepted on Alertmanager's retry once the lock was released`,
    });
    await gw.kill('SIGKILL');
  });

  it.skipIf(mountProblem !== undefined)('disk full → 503 for what cannot be saved; every 202 survives SIGKILL; delivered after space returns', async () => {
    let gw = await rig.start();
    const scripts = buildScripts({ seed: 1616, groups: 8, steps: 1 });
    // Before the fault: the first group goes through normally.
    expect((await sendLikeAlertmanager(gw.url, big(scripts[0]!))).status).toBe(202);
    await waitForDrain(gw.url, 30_000);

    const filler = fillDisk(mountPoint);
    const during = new Map<number, number>();
    for (const script of scripts.slice(1)) during.set(script.index, (await postOnce(gw.url, big(script))).status);
    const readyDuringFault = (await fetch(`${gw.url}/readyz`)).status;
    // Only 202 (saved) or 503 (Alertmanager retries); the process survived the failed writes.
    expect([...during.values()].every((s) => s === 202 || s === 503)).toBe(true);
    expect([...during.values()].filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(gw.child.exitCode).toBeNull();

    // A 202 given during the fault was on disk: kill without warning, free the space, restart.
    expect(await gw.kill('SIGKILL')).toBeNull();
    rmSync(filler);
    gw = await rig.start();
    const alerts = (await fetch(`${gw.url}/v1/alerts?limit=1000`).then((r) => r.json())) as { items: { groupKey: string }[] };
    const stored = new Set(alerts.items.map((a) => a.groupKey));
    const accepted = scripts.slice(1).filter((s) => during.get(s.index) === 202);
    expect(accepted.filter((s) => !stored.has(s.groupKey)).map((s) => s.index)).toEqual([]);

    // Alertmanager retries what got 503; now it is accepted, and everything is delivered.
    for (const script of scripts.slice(1).filter((s) => during.get(s.index) === 503)) {
      expect((await sendLikeAlertmanager(gw.url, big(script), { giveUpAfterMs: 30_000 })).status).toBe(202);
    }
    await waitForDrain(gw.url, 60_000);
    expect((await allNotifications(gw.url)).filter((n) => n.status !== 'sent' && n.status !== 'suppressed')).toEqual([]);
    const verdicts = verifyFinalStates(scripts, rig.fakes.slack, rig.fakes.pagerduty);
    expect(verdicts.flatMap((v) => v.problems.map((p) => `group ${v.script.index}: ${p}`))).toEqual([]);
    const alertsSent = scripts.reduce((n, s) => n + s.instances.length, 0);
    const refused = [...during.values()].filter((s) => s === 503).length;
    recordFaultRow({
      case: 'Store: disk full (64 MB tmpfs filled)',
      alertsSent,
      delivered: deliveredAlerts(verdicts),
      dead: 0,
      lost: alertsSent - deliveredAlerts(verdicts),
      duplicated: 0,
      notes:
        `${during.size} webhooks (256 KB each) during the fault: ${refused} answered 503, ${during.size - refused} answered 202 and were found after a SIGKILL; ` +
        `/readyz ${readyDuringFault} while full; all accepted on retry after space returned`,
    });
  });
});

/**
 * SecretFile: a change its owner fails to apply neither rejects `reread` (a background reread
 * nobody awaits would be an unhandled rejection, which ends a Node 20 process) nor is lost;
 * `due` says, without a promise, whether `reread` would read now; and `check` (behind accepted
 * tokens) has a budget of its own, so it never takes the read a refused token is owed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log/logger.js';
import { SecretFile } from './secret-file.js';

const OLD = 'old-token-2b7d';
const NEW = 'new-token-e41c';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertgate-secret-file-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function tokenFile(content: string): Promise<string> {
  const file = join(dir, `token-${Math.random().toString(36).slice(2)}`);
  await writeFile(file, `${content}\n`);
  return file;
}

describe('SecretFile', () => {
  it('a change onChange throws on does not reject reread, is logged without the token, and is applied at the next read', async () => {
    const file = await tokenFile(NEW);
    const logs: string[] = [];
    let clock = 0;
    let failing = true;
    const applied: string[] = [];
    const secret = new SecretFile({
      file,
      variable: 'WEBHOOK_TOKEN_FILE',
      text: OLD,
      rereadMs: 1_000,
      now: () => clock,
      logger: createLogger({ write: (l) => logs.push(l) }),
      onChange: (text) => {
        if (failing) throw new TypeError(`cannot apply ${text}`);
        applied.push(text);
      },
    });

    await expect(secret.reread()).resolves.toBeUndefined();
    expect(secret.text).toBe(OLD);
    expect(logs).toHaveLength(1);
    expect(JSON.parse(logs[0]!)).toMatchObject({ level: 'warn', file, msg: expect.stringContaining('applying the change failed: TypeError') });
    expect(logs.join('\n')).not.toContain(NEW);

    failing = false;
    clock += 1_000;
    await secret.reread();
    expect([secret.text, applied]).toEqual([NEW, [NEW]]);
  });

  it('is due when no read is in flight and the last one is rereadMs old', async () => {
    const file = await tokenFile(OLD);
    let clock = 0;
    const secret = new SecretFile({ file, variable: 'WEBHOOK_TOKEN_FILE', text: OLD, rereadMs: 1_000, now: () => clock });
    expect(secret.due).toBe(true);
    const reading = secret.reread();
    clock += 5_000;
    // In flight, though rereadMs has passed since it started: a caller would join it, not start another.
    expect(secret.due).toBe(false);
    await reading;
    expect(secret.due).toBe(true);
    await secret.reread();
    clock += 999;
    expect(secret.due).toBe(false);
    clock += 1;
    expect(secret.due).toBe(true);
  });

  it('check reads at most once per rereadMs, and never delays the reread a refused token is owed', async () => {
    const file = await tokenFile(OLD);
    let clock = 0;
    const secret = new SecretFile({ file, variable: 'WEBHOOK_TOKEN_FILE', text: OLD, rereadMs: 1_000, now: () => clock });
    await secret.check();
    expect(secret.checkDue).toBe(false);
    // The Secret changes just after a check, and the new token comes within the second: its
    // refusal still reads the file, which already holds it.
    await writeFile(file, `${NEW}\n`);
    clock += 300;
    expect(secret.due).toBe(true);
    await secret.reread();
    expect(secret.text).toBe(NEW);
    // A check within the second reads nothing; once it is up, it reads again.
    await writeFile(file, `${OLD}\n`);
    await secret.check();
    expect(secret.text).toBe(NEW);
    clock += 700;
    expect(secret.checkDue).toBe(true);
    await secret.check();
    expect(secret.text).toBe(OLD);
  });

  it("a refusal during a check's read reads again after it: that read may have begun before the Secret changed", async () => {
    const file = await tokenFile(OLD);
    const clock = 0;
    const secret = new SecretFile({ file, variable: 'WEBHOOK_TOKEN_FILE', text: OLD, rereadMs: 1_000, now: () => clock });
    const checking = secret.check();
    expect(secret.due).toBe(false);
    // The check's read found nothing new, so the refusal gets a read of its own (its budget is spent).
    await secret.reread();
    await checking;
    expect(secret.checkDue).toBe(false);
    expect(secret.due).toBe(false);
    // A change written now is for the next refusal, a second later.
    await writeFile(file, `${NEW}\n`);
    await secret.reread();
    expect(secret.text).toBe(OLD);
  });
});

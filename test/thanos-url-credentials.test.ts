/**
 * THANOS_URL with a user and password (`user:password@`, basic auth for an auth proxy) and a
 * bearer token (THANOS_TOKEN or THANOS_TOKEN_FILE) both set: both go in the one Authorization
 * header, so the bearer token replaced the basic auth without a word and a proxy wanting basic
 * auth refused every query. `alertgate serve` and `alertgate uptime` (which read the same
 * settings) now refuse to start, naming both variables and showing neither credential.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli-process.js';
import { ESTATE_DIR } from './support/gateway.js';

const USER = 'proxy-reader';
const PASSWORD = 'pr0xy-Passw0rd';
const TOKEN = 'thanos-bearer-5e1f00d';
const URL_WITH_USER = `http://${USER}:${PASSWORD}@127.0.0.1:9`;
const BOTH = (tokenVariable: string) =>
  `THANOS_URL has a user name or password (user:password@, basic auth) and ${tokenVariable} is set too: both would go in the one Authorization header, so only one can be sent. ` +
  `Keep the one the proxy in front of Thanos checks: remove the user and password from THANOS_URL (they are not shown here), or unset ${tokenVariable}`;

let dir: string;
let tokenFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'thanos-url-credentials-'));
  tokenFile = join(dir, 'thanos-token');
  await writeFile(tokenFile, `${TOKEN}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const noCredentials = (text: string) => {
  for (const secret of [USER, PASSWORD, TOKEN]) expect(text).not.toContain(secret);
};

describe('THANOS_URL with user:password@ and a bearer token', () => {
  it('alertgate serve refuses to start, naming both variables, showing neither credential', { timeout: 60_000 }, async () => {
    for (const [variable, env] of [
      ['THANOS_TOKEN', { THANOS_TOKEN: TOKEN }],
      ['THANOS_TOKEN_FILE', { THANOS_TOKEN_FILE: tokenFile }],
    ] as const) {
      // Before, it started (and ran until killed at the deadline: code null).
      const r = await runCli(['serve', '--config', ESTATE_DIR], { HOST: '127.0.0.1', PORT: '0', DATABASE_URL: 'sqlite::memory:', THANOS_URL: URL_WITH_USER, ...env }, { deadlineMs: 10_000 });
      expect(r.code, variable).toBe(1);
      expect(r.stderr, variable).toContain(BOTH(variable));
      noCredentials(r.stdout + r.stderr);
    }
  });

  it('alertgate uptime refuses the same, before any query', async () => {
    for (const [variable, env] of [
      ['THANOS_TOKEN', { THANOS_TOKEN: TOKEN }],
      ['THANOS_TOKEN_FILE', { THANOS_TOKEN_FILE: tokenFile }],
    ] as const) {
      const r = await runCli(['uptime', '--team', 'payments', '--config', ESTATE_DIR], { THANOS_URL: URL_WITH_USER, ...env });
      expect(r.code, variable).toBe(1);
      expect(r.stderr, variable).toBe(`uptime: ${BOTH(variable)}\n`);
      noCredentials(r.stdout + r.stderr);
    }
  });

  it('either alone is taken as before', async () => {
    for (const env of [{ THANOS_URL: URL_WITH_USER }, { THANOS_URL: 'http://127.0.0.1:9', THANOS_TOKEN: TOKEN }] as Array<Record<string, string>>) {
      const r = await runCli(['uptime', '--team', 'payments', '--config', ESTATE_DIR], env);
      expect(r.stderr).not.toContain('Authorization header');
      noCredentials(r.stdout + r.stderr);
    }
  });
});

/**
 * @module testing/tls
 * A throwaway TLS identity for tests, made at test time with the `openssl` CLI: a self-signed
 * certificate for 127.0.0.1 and localhost (subjectAltName), valid two days, in a temp dir.
 * Pass `cert` as the client's `ca` (or as NODE_EXTRA_CA_CERTS via `certPath`) to trust it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestTls {
  dir: string;
  keyPath: string;
  certPath: string;
  /** PEM private key (server side). */
  key: string;
  /** PEM certificate; self-signed, so it is also the CA clients must trust. */
  cert: string;
  /** Removes the temp dir. */
  cleanup(): Promise<void>;
}

export async function createTestTls(): Promise<TestTls> {
  const dir = await mkdtemp(join(tmpdir(), 'alertgate-tls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  try {
    // EC P-256: generated in milliseconds, unlike RSA on a busy 2-core machine.
    await run('openssl', [
      'req', '-x509', '-nodes',
      '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-keyout', keyPath, '-out', certPath,
      '-days', '2',
      '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') throw new Error('createTestTls: the `openssl` CLI is not on PATH (install the openssl package)');
    throw new Error(`createTestTls: openssl failed: ${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
  const [key, cert] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
  return { dir, keyPath, certPath, key, cert, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

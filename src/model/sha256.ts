/**
 * @module model/sha256
 * SHA-256 of a text in one call, for group ids, content hashes and token digests.
 *
 * Why not `import { hash } from 'node:crypto'`: Node's one-shot `crypto.hash` (about half the
 * cost of `createHash().update().digest()` for texts this short) arrived in Node 20.12, and the
 * README and package.json support 20.10, where that import stopped `alertgate serve` at start
 * ("does not provide an export named 'hash'"). Looked up once here, with `createHash` where it
 * is missing: the same bytes either way.
 */
import * as crypto from 'node:crypto';

/** `crypto.hash` where Node has it (20.12 and later); the namespace import does not fail without it. */
const oneShot: typeof crypto.hash | undefined = typeof crypto.hash === 'function' ? crypto.hash : undefined;

/** SHA-256 of `text` (UTF-8) as 64 lowercase hex digits. */
export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

/** SHA-256 of `text` (UTF-8) as 32 bytes. */
export function sha256Bytes(text: string): Buffer {
  return oneShot ? oneShot('sha256', text, 'buffer') : crypto.createHash('sha256').update(text).digest();
}

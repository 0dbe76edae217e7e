/**
 * @module ingest/fingerprint
 * Alertmanager's alert fingerprint (prometheus/common model.LabelSet.Fingerprint): FNV-1a 64 over
 * the label names and values in name order, each followed by the 0xff separator byte, printed as
 * 16 hex digits. Used when a payload omits `fingerprint`, so identities match Alertmanager's own.
 *
 * The 64-bit arithmetic is done on four 16-bit limbs in plain numbers: BigInt cost ~300 ms per
 * MB of labels, which let one large webhook block the event loop for seconds.
 */
import type { Labels } from '../model/alert.js';

const SEPARATOR = Uint8Array.of(0xff);

export function labelsFingerprint(labels: Labels): string {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const name of Object.keys(labels).sort()) parts.push(enc.encode(name), SEPARATOR, enc.encode(labels[name]!), SEPARATOR);
  const bytes = Buffer.concat(parts);
  // Offset basis 0xcbf29ce484222325, low limb first.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < bytes.length; i++) {
    h0 ^= bytes[i]!;
    // h × 0x100000001b3 mod 2^64 = h × 0x1b3 + (h << 40): limb products stay far below 2^31.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + (t1 >>> 16) + (h0 << 8);
    const t3 = h3 * 0x1b3 + (t2 >>> 16) + (h1 << 8);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return [h3, h2, h1, h0].map((limb) => limb.toString(16).padStart(4, '0')).join('');
}

/**
 * @module ingest/fingerprint
 * Alertmanager's alert fingerprint (prometheus/common model.LabelSet.Fingerprint): FNV-1a 64 over
 * the label names and values in name order, each followed by the 0xff separator byte, printed as
 * 16 hex digits. Used when a payload omits `fingerprint`, so identities match Alertmanager's own.
 */
import type { Labels } from '../model/alert.js';

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const SEPARATOR = 0xff;

export function labelsFingerprint(labels: Labels): string {
  let h = OFFSET;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) {
      h ^= BigInt(b);
      h = (h * PRIME) & MASK;
    }
  };
  const enc = new TextEncoder();
  const sep = Uint8Array.of(SEPARATOR);
  for (const name of Object.keys(labels).sort()) {
    add(enc.encode(name));
    add(sep);
    add(enc.encode(labels[name]!));
    add(sep);
  }
  return h.toString(16).padStart(16, '0');
}

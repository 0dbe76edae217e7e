/**
 * @module config/config-text
 * A config file's bytes as text, or an error at the first byte that is not UTF-8. Node's
 * `'utf8'` decoding turns each such byte into U+FFFD without a word, so a summary an editor
 * saved as Latin-1 ("refusée") reached the generated PrometheusRule as "refus�e". UTF-16 and
 * UTF-32 are named by their byte order mark; without one, by their NUL bytes.
 */
import type { SourceError } from './source-error.js';

// UTF-32's before UTF-16's: the little-endian UTF-32 mark (FF FE 00 00) starts with UTF-16's.
const BOMS: { name: string; bytes: number[] }[] = [
  { name: 'UTF-32', bytes: [0xff, 0xfe, 0x00, 0x00] },
  { name: 'UTF-32', bytes: [0x00, 0x00, 0xfe, 0xff] },
  { name: 'UTF-16', bytes: [0xff, 0xfe] },
  { name: 'UTF-16', bytes: [0xfe, 0xff] },
];

/** Offset of the first byte of `bytes` that is not part of well-formed UTF-8, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte: how many continuation bytes, and the range the first one must be in (RFC 3629
    // table: no overlong forms, no surrogates, nothing above U+10FFFF).
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

/** `bytes` (a config file) as text; a file that is not UTF-8 is one error at its first foreign byte. */
export function configFileText(file: string, bytes: Uint8Array): { text: string; error?: undefined } | { error: SourceError; text?: undefined } {
  const bom = BOMS.find((b) => b.bytes.every((x, i) => bytes[i] === x));
  if (bom) {
    return { error: { file, line: 1, col: 1, severity: 'error', message: `the file is ${bom.name} (it starts with a ${bom.name} byte order mark); save it as UTF-8` } };
  }
  // A NUL is valid UTF-8 but in no config text: UTF-16 without a byte order mark is ASCII text
  // with a NUL beside each character, and would be read as that text with NULs in it.
  const invalid = firstInvalidUtf8(bytes);
  const nul = bytes.indexOf(0);
  if (invalid < 0 && nul < 0) return { text: new TextDecoder('utf-8').decode(bytes) }; // drops a UTF-8 BOM, as yaml would
  const bad = nul >= 0 && (invalid < 0 || nul < invalid) ? nul : invalid;
  const byte = bytes[bad]!.toString(16).toUpperCase().padStart(2, '0');
  const message =
    bytes[bad] === 0
      ? 'a NUL byte (0x00): the file is likely UTF-16 without a byte order mark, or not text; save it as UTF-8'
      : `the file is not UTF-8: byte 0x${byte} here starts no UTF-8 character (the file was likely saved as Latin-1 or Windows-1252); save it as UTF-8`;
  return { error: { file, ...positionOf(bytes, bad), severity: 'error', message } };
}

/** line:col (1-based, col in characters) of the byte at `offset`, all bytes before it well-formed. */
function positionOf(bytes: Uint8Array, offset: number): { line: number; col: number } {
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, offset));
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, col: before.length - lineStart + 1 };
}

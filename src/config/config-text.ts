/**
 * @module config/config-text
 * A config file's bytes as text, or an error at the first byte that is not UTF-8. Node's
 * `'utf8'` decoding turns each such byte into U+FFFD without a word, so a summary an editor
 * saved as Latin-1 ("refusée") reached the generated PrometheusRule as "refus�e".
 */
import type { SourceError } from './source-error.js';

const UTF16_BOMS = [
  [0xff, 0xfe],
  [0xfe, 0xff],
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
  if (UTF16_BOMS.some(([a, b]) => bytes[0] === a && bytes[1] === b)) {
    return { error: { file, line: 1, col: 1, severity: 'error', message: 'the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8' } };
  }
  const bad = firstInvalidUtf8(bytes);
  // TextDecoder drops a leading UTF-8 byte order mark, as yaml would.
  if (bad < 0) return { text: new TextDecoder('utf-8').decode(bytes) };
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  const byte = bytes[bad]!.toString(16).toUpperCase().padStart(2, '0');
  return {
    error: {
      file,
      line,
      col: before.length - lineStart + 1,
      severity: 'error',
      message: `the file is not UTF-8: byte 0x${byte} here starts no UTF-8 character (the file was likely saved as Latin-1 or Windows-1252); save it as UTF-8`,
    },
  };
}

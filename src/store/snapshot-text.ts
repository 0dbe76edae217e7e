/**
 * @module store/snapshot-text
 * How a notification's frozen snapshot is kept as text. A snapshot is the whole group as JSON
 * (~7 KB for 10 alerts, ~70 KB for 100) and alerts of one group repeat most of their labels, so
 * a snapshot larger than about a page is stored deflated: `deflate:` and the base64 of the raw
 * DEFLATE stream. SQLite writes every page twice (the WAL, then the checkpoint); a 100-alert
 * snapshot took ~70 KiB (17 pages), deflated ~7 KiB, and the database grows by 95 KiB instead of
 * 160 KiB per accepted 100-alert group (11 instead of 17 for 10 alerts). Smaller snapshots stay
 * plain JSON, as do all rows written before this format (JSON always starts with `{`), so both
 * read back the same. Base64 keeps the column TEXT: no migration, and `sqlite3` still prints it.
 * PostgreSQL compresses large text values itself (TOAST) and keeps plain JSON.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { GroupSnapshot } from '../model/group.js';

const PREFIX = 'deflate:';
/** Larger than this many characters, a snapshot would spill onto overflow pages (4 KiB pages). */
const DEFLATE_ABOVE_CHARS = 4000;
/**
 * Level 1 and a 2 KiB window: within 1 % of zlib's default level and window on alert groups
 * (repeats sit one alert apart, well within the window), at half the CPU for 100 alerts, and a
 * ~16 KiB zlib state allocated per call instead of ~256 KiB.
 */
const DEFLATE_OPTIONS = { level: 1, windowBits: 11, memLevel: 4 } as const;

/** The stored text of a snapshot serialised as `json`. */
export function encodeSnapshot(json: string): string {
  if (json.length <= DEFLATE_ABOVE_CHARS) return json;
  return PREFIX + deflateRawSync(json, DEFLATE_OPTIONS).toString('base64');
}

/** The snapshot a stored text holds, in either form. */
export function decodeSnapshot(text: string): GroupSnapshot {
  const json = text.startsWith(PREFIX) ? inflateRawSync(Buffer.from(text.slice(PREFIX.length), 'base64')).toString('utf8') : text;
  return JSON.parse(json) as GroupSnapshot;
}

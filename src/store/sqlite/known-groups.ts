/**
 * @module store/sqlite/known-groups
 * Which group ids may be stored: a Bloom filter of every id in the database and every id this
 * process has written since. Most webhooks bring a group the store has never seen, and reading
 * "not there" from SQLite cost the event loop ~25–35 µs per webhook (the writer thread's commits
 * drop this connection's page cache, so the lookup goes back to the file through system calls).
 * An id the filter has never seen is certainly not stored; one it has seen may be (about 1 in
 * 100 false alarms at capacity, each costing only the read it would have made anyway).
 *
 * Only sound because this process is the database's only writer (see sqlite-store.ts): an id
 * written by anything else would be missed. Ids are added before their write is handed to the
 * writer; a write that then fails leaves a harmless false alarm.
 */
import type Database from 'better-sqlite3';

/** Bits per expected id and probes per id: ~1 % false alarms at capacity. */
const BITS_PER_ID = 10;
const PROBES = 7;
/** Capacity at least this (a new database), and 4 × the ids stored at open, up to the cap. */
const MIN_CAPACITY = 1 << 18;
/** 2^25 bits = 4 MiB: beyond ~3 million ids the false-alarm rate grows instead of the memory. */
const MAX_BITS = 1 << 25;

export class KnownGroups {
  private readonly bits: Uint32Array;
  private readonly mask: number;

  private constructor(capacity: number) {
    let size = 1 << 10;
    while (size < capacity * BITS_PER_ID && size < MAX_BITS) size *= 2;
    this.bits = new Uint32Array(size / 32);
    this.mask = size - 1;
  }

  /** A filter holding every group id stored in `db`. */
  static load(db: Database.Database): KnownGroups {
    const count = (db.prepare('SELECT count(*) AS n FROM groups').get() as { n: number }).n;
    const known = new KnownGroups(Math.max(MIN_CAPACITY, count * 4));
    for (const id of db.prepare('SELECT id FROM groups').pluck().iterate()) known.add(id as string);
    return known;
  }

  static empty(): KnownGroups {
    return new KnownGroups(MIN_CAPACITY);
  }

  add(id: string): void {
    const [h1, h2] = hashes(id);
    for (let i = 0, h = h1; i < PROBES; i++, h = (h + h2) >>> 0) {
      const bit = h & this.mask;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  /** False: `id` is certainly not stored. True: it may be. */
  mayExist(id: string): boolean {
    const [h1, h2] = hashes(id);
    for (let i = 0, h = h1; i < PROBES; i++, h = (h + h2) >>> 0) {
      const bit = h & this.mask;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** Two 32-bit FNV-1a hashes of the id's code units (double hashing derives the probes); the second is odd. */
function hashes(id: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return [a >>> 0, (b | 1) >>> 0];
}

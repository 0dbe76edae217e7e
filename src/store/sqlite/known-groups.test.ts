import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { KnownGroups } from './known-groups.js';

const ids = (n: number) => Array.from({ length: n }, () => randomBytes(16).toString('hex'));

describe('KnownGroups', () => {
  it('never calls an added id absent, and rarely a never-added one present (~1 % at capacity)', () => {
    const known = KnownGroups.empty();
    const added = ids(1 << 18);
    for (const id of added) known.add(id);
    expect(added.every((id) => known.mayExist(id))).toBe(true);
    const others = ids(100_000);
    const falseAlarms = others.filter((id) => known.mayExist(id)).length;
    expect(falseAlarms / others.length).toBeLessThan(0.02);
  });

  it('loads every id stored in the groups table, and only those', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE groups (id TEXT PRIMARY KEY)');
    const stored = ids(1000);
    const insert = db.prepare('INSERT INTO groups (id) VALUES (?)');
    for (const id of stored) insert.run(id);
    const known = KnownGroups.load(db);
    expect(stored.every((id) => known.mayExist(id))).toBe(true);
    // 1,000 ids in a filter sized for 262,144: a false alarm is all but impossible.
    expect(ids(1000).some((id) => known.mayExist(id))).toBe(false);
    db.close();
  });
});

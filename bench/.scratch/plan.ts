import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import Database from 'better-sqlite3';
import { SELECT_CLAIMABLE, COUNT_OUTBOX } from '../../src/store/sqlite/queries.js';
const s = openSqliteStore('/tmp/plan.db'); await s.close();
const db = new Database('/tmp/plan.db');
console.log(db.prepare('EXPLAIN QUERY PLAN ' + SELECT_CLAIMABLE).all({ now: 1, limit: 8, exclude: '[]' }));
console.log(db.prepare('EXPLAIN QUERY PLAN ' + COUNT_OUTBOX).all());

import Database from 'better-sqlite3';
import { SELECT_GROUP_ALERTS, DELETE_STALE_ALERTS } from '../../src/store/sqlite/queries.js';
const db = new Database('/tmp/plan.db');
const p = (sql: string, params: object) => console.log(db.prepare('EXPLAIN QUERY PLAN ' + sql).all(params).map((r: any) => r.detail).join(' | '));
p(SELECT_GROUP_ALERTS, { ids: '[]' });
p(DELETE_STALE_ALERTS, { group_id: 'x', fingerprints: '[]' });
p(`SELECT a.*, g.group_key FROM alerts a JOIN groups g ON g.id = a.group_id WHERE a.team = @team ORDER BY a.updated_at DESC, a.group_id DESC, a.fingerprint DESC LIMIT 10`, { team: 'x' });
p(`SELECT a.*, g.group_key FROM alerts a JOIN groups g ON g.id = a.group_id ORDER BY a.updated_at DESC, a.group_id DESC, a.fingerprint DESC LIMIT 10`, {});

/**
 * @module bench/support/prefill
 * Fills a gateway database before a benchmark, through the real pipeline (schema, normalisation,
 * attribution, routing, dedup, storm and maintenance stages, the SQLite store) but without HTTP,
 * so a 50,000-notification backlog or 100,000 rows of history take seconds, not minutes. It uses
 * the pipeline of the gateway under test (src/, or BENCH_GATEWAY_BUILD's copy).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { webhookBody } from './alerts.js';

type Modules = {
  routes: typeof import('../../src/config/load-routes.js');
  errors: typeof import('../../src/config/source-error.js');
  normalize: typeof import('../../src/ingest/normalize.js');
  schema: typeof import('../../src/ingest/webhook-schema.js');
  accept: typeof import('../../src/pipeline/accept.js');
  store: typeof import('../../src/store/sqlite/sqlite-store.js');
};

/**
 * The pipeline of the build under test: src/ (through tsx), or BENCH_GATEWAY_BUILD's compiled
 * copy, whose schema version may differ from src/'s.
 */
async function pipeline(): Promise<Modules> {
  const other = process.env.BENCH_GATEWAY_BUILD;
  const base = other ? pathToFileURL(`${path.join(other, 'dist')}/`).href : new URL('../../src/', import.meta.url).href;
  const load = (p: string) => import(new URL(p, base).href);
  return {
    routes: await load('config/load-routes.js'),
    errors: await load('config/source-error.js'),
    normalize: await load('ingest/normalize.js'),
    schema: await load('ingest/webhook-schema.js'),
    accept: await load('pipeline/accept.js'),
    store: await load('store/sqlite/sqlite-store.js'),
  };
}

export interface PrefillOptions {
  dbFile: string;
  configDir: string;
  run: string;
  groups: number;
  /** Webhooks per group: the first opens it with one alert, each later one adds an alert (a change). */
  webhooksPerGroup?: number;
  /** Mark every queued notification sent (history rather than backlog). */
  markSent?: boolean;
}

/** Returns how many notifications the pipeline queued. */
export async function prefill(o: PrefillOptions): Promise<{ notifications: number }> {
  const m = await pipeline();
  const { config, errors } = await m.routes.loadRoutingConfig(o.configDir, {});
  if (!config) throw new Error(`bench config invalid: ${errors.map(m.errors.formatSourceError).join('; ')}`);
  const store = m.store.openSqliteStore(o.dbFile);
  let notifications = 0;
  try {
    const perGroup = o.webhooksPerGroup ?? 1;
    for (let step = 0; step < perGroup; step++) {
      for (let start = 0; start < o.groups; start += 256) {
        const end = Math.min(o.groups, start + 256);
        const batch = Array.from({ length: end - start }, (_, i) => {
          const body = m.schema.webhookSchema.parse(JSON.parse(webhookBody(o.run, start + i, step + 1)));
          return m.accept.acceptNotification(store, config, m.normalize.normalizeWebhook(body));
        });
        for (const r of await Promise.all(batch)) notifications += r.notifications.filter((n) => n.status === 'pending').length;
      }
    }
  } finally {
    await store.close();
  }
  if (o.markSent) {
    const db = new Database(o.dbFile);
    try {
      db.prepare("UPDATE notifications SET status = 'sent', sent_at = created_at, next_attempt_at = NULL WHERE status = 'pending'").run();
    } finally {
      db.close();
    }
  }
  return { notifications };
}

/**
 * @module bench/support/prefill
 * Fills a gateway database before a benchmark, through the real pipeline (schema, normalisation,
 * attribution, routing, dedup, storm and maintenance stages, the SQLite store) but without HTTP,
 * so a 50,000-notification backlog or 100,000 rows of history take seconds, not minutes.
 */
import Database from 'better-sqlite3';
import { loadRoutingConfig } from '../../src/config/load-routes.js';
import { formatSourceError } from '../../src/config/source-error.js';
import { normalizeWebhook } from '../../src/ingest/normalize.js';
import { webhookSchema } from '../../src/ingest/webhook-schema.js';
import { acceptNotification } from '../../src/pipeline/accept.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { webhookBody } from './alerts.js';

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
  const { config, errors } = await loadRoutingConfig(o.configDir, {});
  if (!config) throw new Error(`bench config invalid: ${errors.map(formatSourceError).join('; ')}`);
  const store = openSqliteStore(o.dbFile);
  let notifications = 0;
  try {
    const perGroup = o.webhooksPerGroup ?? 1;
    for (let step = 0; step < perGroup; step++) {
      for (let start = 0; start < o.groups; start += 256) {
        const end = Math.min(o.groups, start + 256);
        const batch = Array.from({ length: end - start }, (_, i) => {
          const body = webhookSchema.parse(JSON.parse(webhookBody(o.run, start + i, step + 1)));
          return acceptNotification(store, config, normalizeWebhook(body));
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

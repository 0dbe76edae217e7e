/**
 * The webhook fast path (src/ingest/fast-parse.ts) against the schema it stands in front of:
 * on 9,600 generated bodies — valid, valid with one mutation (missing fields, wrong types,
 * numbers as strings, `fc.anything()` in every field) and hostile raw JSON — whatever the fast
 * path accepts, the schema accepts too, with a deeply equal result; and it does accept every
 * valid body, the real Alertmanager payloads included, so it is the path actually taken.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastParseWebhook } from '../src/ingest/fast-parse.js';
import { webhookSchema } from '../src/ingest/webhook-schema.js';
import { mutatedWebhook, rawBody, validWebhook } from './support/fault-arbitraries.js';

/** Generated bodies include megabyte strings and deep nesting: a few thousand each, and time. */
const RUNS = 4_000;
const HEAVY_RUNS = 4_000;
const HEAVY_TIMEOUT_MS = 180_000;

function agrees(json: unknown): boolean {
  const fast = fastParseWebhook(json);
  if (fast === undefined) return true;
  const zod = webhookSchema.safeParse(json);
  expect(zod.success).toBe(true);
  expect(fast).toEqual(zod.success ? zod.data : undefined);
  return true;
}

function parsed(text: string | Uint8Array): unknown {
  try {
    return JSON.parse(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'));
  } catch {
    return undefined;
  }
}

describe('webhook fast path', () => {
  it(`accepts every generated body the schema accepts (${RUNS}), with exactly the schema's result`, { timeout: HEAVY_TIMEOUT_MS }, () => {
    let valid = 0;
    fc.assert(
      fc.property(validWebhook(), (body) => {
        const text = JSON.stringify(body);
        const json = JSON.parse(text) as unknown;
        // The generator's edge cases (an empty fingerprint, say) are not all valid.
        // The fast path leaves any "__proto__" key to the schema. (`json` serialises to the same
        // strings as `text`, a "__proto__" key included: no need to write megabytes out again.)
        if (webhookSchema.safeParse(json).success && !text.includes('"__proto__"')) {
          valid++;
          expect(fastParseWebhook(json)).toBeDefined();
        }
        return agrees(json);
      }),
      { numRuns: RUNS },
    );
    expect(valid).toBeGreaterThan(RUNS / 2);
  });

  it(`never accepts a mutated body the schema rejects, nor returns anything else (${HEAVY_RUNS})`, { timeout: HEAVY_TIMEOUT_MS }, () => {
    let fastTaken = 0;
    fc.assert(
      fc.property(mutatedWebhook(), (body) => {
        const json = parsed(JSON.stringify(body) ?? 'null');
        if (fastParseWebhook(json) !== undefined) fastTaken++;
        return agrees(json);
      }),
      { numRuns: HEAVY_RUNS },
    );
    // Some mutations keep a body valid (an extra field, a dropped optional one): the fast path takes those.
    expect(fastTaken).toBeGreaterThan(0);
  });

  it(`agrees with the schema on hostile raw bodies (${HEAVY_RUNS / 2.5})`, { timeout: HEAVY_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(rawBody(), (text) => agrees(parsed(text))),
      { numRuns: HEAVY_RUNS / 2.5 },
    );
  });

  it('takes the fast path for every real Alertmanager payload in the fixtures', () => {
    const dir = join(import.meta.dirname, 'fixtures');
    const files = readdirSync(dir).filter((f) => f.startsWith('alertmanager-') && f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const json = JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown;
      if (!webhookSchema.safeParse(json).success) continue;
      expect(fastParseWebhook(json), f).toBeDefined();
      agrees(json);
    }
  });

  it('leaves a body with a "__proto__" key, non-string labels or a bad time to the schema', () => {
    const ok = { groupKey: 'g', status: 'firing', alerts: [{ status: 'firing', labels: { a: 'b' }, startsAt: '2026-11-20T09:00:00Z' }] };
    expect(fastParseWebhook(ok)).toBeDefined();
    expect(fastParseWebhook(JSON.parse('{"__proto__":{"x":1},"groupKey":"g","status":"firing","alerts":[]}'))).toBeUndefined();
    expect(fastParseWebhook({ ...ok, alerts: [{ ...ok.alerts[0], labels: { a: 1 } }] })).toBeUndefined();
    expect(fastParseWebhook({ ...ok, alerts: [{ ...ok.alerts[0], startsAt: 'yesterday' }] })).toBeUndefined();
    // Text Date.parse reads but RFC3339 does not allow (the schema refuses it too).
    for (const startsAt of ['1', '2026-11-20T09:00:00', '2026-02-30T09:00:00Z', '2026-11-20T24:00:00Z']) {
      expect(fastParseWebhook({ ...ok, alerts: [{ ...ok.alerts[0], startsAt }] }), startsAt).toBeUndefined();
      expect(webhookSchema.safeParse({ ...ok, alerts: [{ ...ok.alerts[0], startsAt }] }).success, startsAt).toBe(false);
    }
    expect(fastParseWebhook({ ...ok, alerts: [{ ...ok.alerts[0], startsAt: '2026-11-30T09:00:00.123456789+01:00' }] })).toBeDefined();
    expect(fastParseWebhook({ ...ok, truncatedAlerts: 1.5 })).toBeUndefined();
  });
});

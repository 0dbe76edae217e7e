/**
 * List endpoints: newest first, `limit` (default 100, max 1000), opaque `cursor`, filters.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startFakes, startTestGateway, type TestGateway } from './support/gateway.js';
import { postAlertsOfTwoTeams, withGatewayPerFile } from './support/gateway-hooks.js';
import { SLACK, group, notification } from '../src/store/contract/fixtures.case.js';
import { bindCursor } from '../src/http/pagination.js';

let t: TestGateway;
withGatewayPerFile((started) => ({ t } = started));
beforeAll(() => postAlertsOfTwoTeams(t, 'List', 7));

type Page = { items: { labels?: Record<string, string>; team: string; id?: number }[]; nextCursor: string | null };
const get = async (path: string) => {
  const res = await fetch(`${t.gw.url}${path}`);
  return { status: res.status, body: (await res.json()) as Page & { error?: string } };
};

describe('GET /v1/alerts and /v1/notifications paging', () => {
  it('pages newest first with a cursor until nextCursor is null', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { status, body }: { status: number; body: Page } = await get(`/v1/alerts?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status).toBe(200);
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((a) => a.labels!.alertname!));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['List6', 'List5', 'List4', 'List3', 'List2', 'List1', 'List0']);
  });

  it('filters by team and status', async () => {
    const { body } = await get('/v1/alerts?team=payments&status=firing');
    expect(body.items.map((a) => a.labels!.alertname)).toEqual(['List5', 'List3', 'List1']);
    const sent = await get('/v1/notifications?team=platform&status=sent');
    expect(sent.body.items).toHaveLength(4);
    expect(sent.body.items.every((n) => n.team === 'platform')).toBe(true);
  });

  it('rejects a bad limit, status or cursor with 400 naming the problem', async () => {
    const tooMany = await get('/v1/alerts?limit=1001');
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toContain('limit');
    const badStatus = await get('/v1/notifications?status=exploded');
    expect(badStatus.status).toBe(400);
    expect(JSON.stringify(badStatus.body)).toContain('status');
    const badCursor = await get('/v1/notifications?cursor=not-a-cursor');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error).toContain('invalid cursor');
  });

  it('rejects, with 400 on every store, a forged cursor or filter that no item could produce (PostgreSQL answered 500)', async () => {
    const forged = (tuple: unknown[]) => Buffer.from(JSON.stringify(tuple)).toString('base64url');
    for (const cursor of [forged(['ac', 9e15, 'g', 'f']), forged(['ac', -1, 'g', 'f']), forged(['ac', 1, 'g\u0000', 'f'])]) {
      const res = await get(`/v1/alerts?cursor=${cursor}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toContain('invalid cursor');
    }
    for (const path of ['/v1/alerts?team=%00', '/v1/notifications?team=a%00b']) {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain('must not contain NUL');
    }
  });

  it("refuses with 400 an alert cursor of the previous release (its position was a last change), saying to start again", async () => {
    // As the previous release handed it out: the alert's updated_at, group id and fingerprint, bound to the filters.
    const position = Buffer.from(JSON.stringify(['a', Date.parse('2026-10-01T10:00:00Z'), 'g', 'f'])).toString('base64url');
    for (const [query, cursor] of [['', position], ['status=firing&', bindCursor(position, { status: 'firing' })]] as const) {
      const res = await get(`/v1/alerts?${query}cursor=${cursor}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/^invalid cursor: it is from an earlier alertgate release.*read the list again from its first page$/);
    }
  });
});

describe('GET /openapi.json', () => {
  it('describes every endpoint of the API', async () => {
    const doc = (await fetch(`${t.gw.url}/openapi.json`).then((r) => r.json())) as { openapi: string; paths: Record<string, object> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/webhooks/alertmanager', '/v1/alerts', '/v1/notifications', '/v1/notifications/{id}/retry', '/-/reload', '/metrics', '/healthz', '/readyz']) {
      expect(doc.paths).toHaveProperty([path]);
    }
  });

  it('lists the statuses the admin and store-backed endpoints answer', async () => {
    type Op = { responses: Record<string, unknown> };
    const doc = (await fetch(`${t.gw.url}/openapi.json`).then((r) => r.json())) as { paths: Record<string, Record<string, Op>> };
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path]![method]!.responses).sort();
    expect(statuses('/v1/notifications/{id}/retry', 'post')).toEqual(['202', '400', '401', '403', '404', '409', '503']);
    expect(statuses('/-/reload', 'post')).toEqual(['200', '400', '401', '403', '501']);
    expect(statuses('/v1/maintenance', 'post')).toEqual(['201', '400', '401', '403', '413', '415', '503']);
    expect(statuses('/v1/maintenance/{id}', 'delete')).toEqual(['204', '401', '403', '404', '503']);
    for (const path of ['/v1/alerts', '/v1/notifications', '/v1/maintenance']) expect(statuses(path, 'get'), path).toContain('503');
    // The 400 for a retry id that is not a number, as listed.
    expect((await fetch(`${t.gw.url}/v1/notifications/abc/retry`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(400);
  });
});

describe('GET /v1/notifications over more items than the store is read at a time', () => {
  it('a page of up to 1,000 holds every item once, newest first, and its cursor continues after it', async () => {
    const f = await startFakes();
    const g = await startTestGateway(f);
    try {
      // 250 history items (suppressed: nothing delivers or changes them while the test reads).
      const total = 250; // more than two of the handler's 100-item reads
      for (let i = 0; i < total; i++) {
        const grp = group(`many-${i}`);
        await g.gw.store.updateGroups([grp.id], () => [{ group: grp, notifications: [notification(grp, SLACK, { status: 'suppressed', reason: 'test' })] }]);
      }
      const stored = (await g.gw.store.listNotifications({ limit: 1000 })).items.map((n) => n.id);
      expect(stored).toHaveLength(total);
      const all = (await (await fetch(`${g.gw.url}/v1/notifications?limit=1000`)).json()) as Page;
      const ids = all.items.map((n) => n.id!);
      expect(ids).toEqual(stored);
      expect(new Set(ids).size).toBe(total);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(all.nextCursor).toBeNull();

      const first = (await (await fetch(`${g.gw.url}/v1/notifications?limit=150`)).json()) as Page;
      expect(first.items.map((n) => n.id)).toEqual(ids.slice(0, 150));
      expect(first.nextCursor).not.toBeNull();
      const rest = (await (await fetch(`${g.gw.url}/v1/notifications?limit=1000&cursor=${first.nextCursor}`)).json()) as Page;
      expect(rest.items.map((n) => n.id)).toEqual(ids.slice(150));
      expect(rest.nextCursor).toBeNull();
    } finally {
      await g.close();
      await f.close();
    }
  });
});

/**
 * @module http/maintenance
 * Ad-hoc maintenance windows: POST /v1/maintenance (admin) → 201 with the stored window and its
 * id; GET /v1/maintenance (newest first, limit, cursor); DELETE /v1/maintenance/{id} (admin),
 * which releases what the window held at once.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { readMatcherString } from '../config/routes-schema.js';
import { releaseHeld } from '../maintenance/release.js';
import { archiveIdsToLock, archiveMonthId, archiveMonthsId, archiveWindows, legacyArchiveId, readArchiveMonths, unarchiveWindow } from '../maintenance/archive.js';
import { maintenanceRecord, maintenanceStateId, readMaintenanceState, type StoredWindow } from '../maintenance/state.js';
import { requireAdmin } from './admin.js';
import type { AppDeps } from './deps.js';
import { jsonError } from './errors.js';
import { bindCursor, CURSOR_STALE, issuesOf, limitSchema, quoted, readQuery, teamsListed, unbindCursor, unknownTeamIssue } from './pagination.js';
import { nodeIncoming, notJsonContentType, readEncodedBody } from './read-body.js';
import { decodeMaintenanceCursor, encodeMaintenanceCursor, type MaintenanceCursor } from '../store/cursor.js';

/** Windows that ended this long ago leave the state (it stays small) for the archive (reports). */
const KEEP_ENDED_MS = 7 * 24 * 3_600_000;
/** A window is a few hundred bytes; a body larger than this is not one (it is never buffered whole). */
const MAINTENANCE_MAX_BYTES = 64 * 1024;

const rfc3339 = z.iso.datetime({ offset: true, error: 'must be an RFC3339 timestamp, e.g. 2026-11-27T22:00:00Z' });
const matcher = z.string().superRefine((s, ctx) => {
  const read = readMatcherString(s);
  if ('problem' in read) ctx.addIssue({ code: 'custom', message: `invalid matcher: ${read.problem}` });
});
const createSchema = z
  .strictObject({
    team: z.string().min(1),
    matchers: z.array(matcher).default([]),
    start: rfc3339,
    end: rfc3339,
    reason: z.string().min(1, { error: 'reason must not be empty' }).max(500),
  })
  .refine((w) => !(Date.parse(w.end) <= Date.parse(w.start)), { message: 'end must be after start', path: ['end'] });

const listSchema = z.object({
  team: z.string().min(1).optional(),
  limit: limitSchema,
  cursor: z.string().optional(),
});

/** Newest first: by creation time, then id, compared as code units (the cursor's order too). */
function newerFirst(a: MaintenanceCursor, b: MaintenanceCursor): number {
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt ? -1 : 1;
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1;
}

function view(w: StoredWindow, now: number) {
  return { ...w, active: Date.parse(w.start) <= now && now < Date.parse(w.end) };
}

export function maintenanceRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const now = () => (deps.now ?? (() => new Date()))();

  app.post('/v1/maintenance', requireAdmin(deps.adminToken), async (c) => {
    const notJson = notJsonContentType(c.req.header('content-type'));
    if (notJson !== undefined) return jsonError(c, 415, notJson);
    // Decoded as the webhook's (a compressing proxy or client's gzip): read as JSON it was a 400 "invalid JSON".
    const tooLarge = (decoded: boolean) => `${decoded ? 'decompressed ' : ''}request body exceeds ${MAINTENANCE_MAX_BYTES} bytes`;
    const text = await readEncodedBody(c.req.raw, MAINTENANCE_MAX_BYTES, c.req.header('content-encoding'), tooLarge, nodeIncoming(c.env));
    if (!text.ok) return jsonError(c, text.status, text.error);
    let body: unknown;
    try {
      body = JSON.parse(text.text);
    } catch (err) {
      return jsonError(c, 400, `invalid JSON: ${(err as SyntaxError).message}`);
    }
    const parsed = createSchema.safeParse(body);
    if (!parsed.success) return jsonError(c, 400, 'invalid maintenance window', { issues: issuesOf(parsed.error) });
    const config = deps.routing();
    if (!config?.teams.has(parsed.data.team)) {
      // As the lists answer a typo (`paymnets`): the teams there are.
      const name = quoted(parsed.data.team);
      const teams = config ? ` (teams: ${teamsListed([...config.teams.keys()])})` : '';
      return jsonError(c, 400, `unknown team "${name}"`, { issues: [{ path: 'team', message: `no routes/${name}.yaml${teams}` }] });
    }
    const at = now();
    const window: StoredWindow = {
      id: `${parsed.data.team}.${randomBytes(6).toString('hex')}`,
      ...parsed.data,
      start: new Date(parsed.data.start).toISOString(),
      end: new Date(parsed.data.end).toISOString(),
      createdAt: at.toISOString(),
    };
    const stateId = maintenanceStateId(window.team);
    const recent = (w: StoredWindow) => Date.parse(w.end) > at.getTime() - KEEP_ENDED_MS;
    // Reports of their period still need the windows that leave the state: they move to the
    // archive's records of their months, which the write locks too (read first to know which).
    const looked = readMaintenanceState(await deps.store.getGroup(stateId)).windows.filter((w) => !recent(w));
    const lock = archiveIdsToLock(window.team, looked);
    await deps.store.updateGroups([stateId, ...lock.ids], (current) => {
      const prev = current.get(stateId);
      const state = readMaintenanceState(prev);
      const ended = state.windows.filter((w) => !recent(w));
      const { writes, archived } = archiveWindows(window.team, ended, current, new Set(lock.months), at);
      // One whose months are not locked (a replica's write in between) stays until the next one.
      const gone = new Set(archived.map((w) => w.id));
      const windows = [...state.windows.filter((w) => !gone.has(w.id)), window];
      return [{ group: maintenanceRecord(window.team, { ...state, windows }, prev, at), notifications: [] }, ...writes];
    });
    deps.logger.info({ window: window.id, team: window.team, start: window.start, end: window.end, reason: window.reason }, 'maintenance window created');
    return c.json(view(window, at.getTime()), 201);
  });

  app.get('/v1/maintenance', async (c) => {
    const q = readQuery(c.req, listSchema);
    if ('issues' in q) return jsonError(c, 400, 'invalid query', { issues: q.issues });
    const teams = q.data.team ? [q.data.team] : [...(deps.routing()?.teams.keys() ?? [])];
    const all: StoredWindow[] = [];
    for (const team of teams) all.push(...readMaintenanceState(await deps.store.getGroup(maintenanceStateId(team))).windows);
    if (all.length === 0) {
      const issue = await unknownTeamIssue(q.data.team, [...(deps.routing()?.teams.keys() ?? [])], async () => false);
      if (issue) return jsonError(c, 400, 'invalid query', { issues: [issue] });
    }
    all.sort((a, b) => newerFirst(a, b));
    const filters = { team: q.data.team };
    const from = q.data.cursor === undefined ? undefined : unbindCursor(q.data.cursor, filters);
    if (from && 'error' in from) return jsonError(c, 400, from.error);
    let after: MaintenanceCursor | undefined;
    try {
      after = from === undefined ? undefined : decodeMaintenanceCursor(from.cursor);
    } catch {
      return jsonError(c, 400, CURSOR_STALE);
    }
    // The page starts after the cursor's window, wherever it now sits: windows created or
    // deleted between two pages neither repeat nor skip one (a position would do both).
    const rest = after ? all.filter((w) => newerFirst(after, w) < 0) : all;
    const items = rest.slice(0, q.data.limit);
    const last = items.at(-1);
    const next = last && rest.length > items.length ? encodeMaintenanceCursor({ createdAt: last.createdAt, id: last.id }) : null;
    const at = now().getTime();
    return c.json({ items: items.map((w) => view(w, at)), nextCursor: bindCursor(next, filters) });
  });

  app.delete('/v1/maintenance/:id', requireAdmin(deps.adminToken), async (c) => {
    const id = c.req.param('id');
    const team = id.split('.')[0] ?? '';
    const config = deps.routing();
    if (!config?.teams.has(team)) return jsonError(c, 404, `maintenance window ${id} not found`);
    const stateId = maintenanceStateId(team);
    const monthsId = archiveMonthsId(team);
    let found = false;
    let archived = false;
    // An archived window may be in any month's record: the write locks those the archive lists,
    // and is made again in the rare case that a replica archived into a new month in between.
    for (let stale = true; stale; ) {
      const months = readArchiveMonths(await deps.store.getGroup(monthsId));
      stale = false;
      await deps.store.updateGroups([stateId, monthsId, legacyArchiveId(team), ...months.map((m) => archiveMonthId(team, m))], (current) => {
        const prev = current.get(stateId);
        const state = readMaintenanceState(prev);
        found = state.windows.some((w) => w.id === id);
        if (found) return [{ group: maintenanceRecord(team, { ...state, windows: state.windows.filter((w) => w.id !== id) }, prev, now()), notifications: [] }];
        if (readArchiveMonths(current.get(monthsId)).some((m) => !months.includes(m))) {
          stale = true;
          return [];
        }
        // One that ended over a week ago: deleted from the reports too (it was a mistake, say).
        const writes = unarchiveWindow(team, id, current, months, now());
        archived = writes.length > 0;
        return writes;
      });
    }
    if (archived) {
      deps.logger.info({ window: id, team }, 'maintenance window deleted (it had ended over a week ago: uptime reports no longer excuse it)');
      return c.body(null, 204);
    }
    if (!found) return jsonError(c, 404, `maintenance window ${id} not found`);
    // The window is gone before it ended: what it held may be free now.
    const released = await releaseHeld(deps.store, config, team, now(), true, {
      onDigested: (digestedTeam, groups) => deps.metrics.stormGroupsDigested.inc({ team: digestedTeam }, groups),
      ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}),
      ...(deps.stormWindowMs ? { stormWindowMs: deps.stormWindowMs } : {}),
    });
    deps.logger.info({ window: id, team, released }, 'maintenance window deleted');
    if (released > 0) deps.onMaintenanceReleased?.(team, released);
    return c.body(null, 204);
  });
  return app;
}

/**
 * @module http/pagination
 * `limit` (default 100, max 1000) and opaque `cursor` of list endpoints, and the strict reading
 * of their query: a parameter the endpoint does not take, or one given twice, is a 400 naming it
 * (a script's typo or a second `team=` must not quietly answer for another list).
 */
import { z } from 'zod';

/** Longest text of the request quoted back in a 400 (a parameter's name or value). */
const QUOTED_MAX = 64;

/** Text of the request for a 400's message, cut at QUOTED_MAX characters. */
export function quoted(text: string): string {
  return text.length > QUOTED_MAX ? `${text.slice(0, QUOTED_MAX)}…` : text;
}

/**
 * A number of the URL (a `limit`, a notification id) in decimal digits only, else NaN: Number()
 * would also take `1e3`, `0x10` or ` 5`, none of which is how a count or an id is written in a URL
 * (the environment's numbers are read alike).
 */
export function decimalNumber(text: string): number {
  return /^[0-9]+$/.test(text) ? Number(text) : NaN;
}

const LIMIT_RULE = 'must be a whole number from 1 to 1000 in decimal digits (default 100)';
export const limitSchema = z
  .string()
  .refine((s) => decimalNumber(s) >= 1 && decimalNumber(s) <= 1000, { error: (issue) => `${LIMIT_RULE}, got "${quoted(String(issue.input))}"` })
  .transform(Number)
  .default(100);

export function listQuerySchema<S extends readonly [string, ...string[]]>(statuses: S) {
  return z.object({
    // No NUL: no team name holds one, and PostgreSQL text cannot (it answered 500).
    team: z.string().min(1).refine((t) => !t.includes('\0'), { message: 'must not contain NUL' }).optional(),
    status: z.enum(statuses).optional(),
    limit: limitSchema,
    cursor: z.string().min(1).optional(),
  });
}

/** Issues listed in a 400 at most; a webhook of 10,000 bad alerts made a 729 KB answer. */
export const MAX_ISSUES = 100;

export interface Issue {
  path: string;
  message: string;
}

/** The first MAX_ISSUES, then, when there are more, one more entry at path `""` saying how many were left out. */
function capIssues(issues: Issue[]): Issue[] {
  const listed = issues.slice(0, MAX_ISSUES);
  const more = issues.length - listed.length;
  if (more > 0) listed.push({ path: '', message: `and ${more} more issue${more === 1 ? '' : 's'} (the first ${MAX_ISSUES} are listed)` });
  return listed;
}

/** A 400's `issues`: `{path, message}` of each zod issue, capped (capIssues). */
export function issuesOf(error: z.ZodError): Issue[] {
  return capIssues(error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
}

/** The request a query is read from: Hono's `c.req`. */
export interface QueryRequest {
  url: string;
  /** Every value of every name; a parameter without a name (`=x`) is not among them. */
  queries(): Record<string, string[]>;
}

/**
 * The pieces of the URL's query that give a value without a name (`=x`, `=`), as written.
 * `queries()` drops them, so a script's `?=payments` (a name lost to a bug) answered every team.
 * Empty pieces (`&&`, a trailing `&`) name nothing and give nothing: not parameters.
 */
function namelessPieces(url: string): string[] {
  const at = url.indexOf('?');
  if (at < 0) return [];
  const query = url.slice(at + 1).split('#')[0]!;
  return query.split('&').filter((piece) => piece.startsWith('='));
}

/**
 * The request's query read against `schema`, whose keys are the parameters the endpoint takes:
 * the parsed values, or the 400's issues. `taker` is what the unknown-parameter message says
 * takes them (`this page` for the uptime pages). A parameter without a name is an issue at path
 * `""` (the name it was given).
 */
export function readQuery<S extends z.ZodObject>(req: QueryRequest, schema: S, taker = 'this endpoint'): { data: z.output<S> } | { issues: Issue[] } {
  const takes = Object.keys(schema.shape);
  const issues: Issue[] = [];
  const nameless = namelessPieces(req.url);
  if (nameless.length > 0) {
    const times = nameless.length > 1 ? `, given ${nameless.length} times` : '';
    issues.push({ path: '', message: `parameter without a name ("${quoted(nameless[0]!)}")${times}: ${taker} takes ${takes.join(', ')}` });
  }
  const single: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.queries())) {
    if (!takes.includes(name)) issues.push({ path: quoted(name), message: `unknown parameter: ${taker} takes ${takes.join(', ')}` });
    else if (values.length > 1) issues.push({ path: name, message: `given ${values.length} times: give it once` });
    else single[name] = values[0]!;
  }
  const parsed = schema.safeParse(single);
  if (!parsed.success) issues.push(...parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
  return issues.length > 0 || !parsed.success ? { issues: capIssues(issues) } : { data: parsed.data };
}

/** The filters a list's cursor continues (limit is not one: a walk may change its page size). */
export interface ListFilters {
  team?: string | undefined;
  status?: string | undefined;
}

export const CURSOR_STALE = 'invalid cursor: pass the nextCursor of a previous page of this list';

function describeFilters(f: ListFilters): string {
  const given = [f.team !== undefined ? `team=${quoted(f.team)}` : '', f.status !== undefined ? `status=${quoted(f.status)}` : ''].filter(Boolean);
  return given.length > 0 ? given.join(', ') : 'every team';
}

function filtersTag(f: ListFilters): string {
  return Buffer.from(JSON.stringify([f.team ?? null, f.status ?? null]), 'utf8').toString('base64url');
}

/**
 * The cursor handed out: the store's (base64url, so without a `.`), then `.` and the filters of
 * the list it continues. A position in one list applied to another (`team=payments`'s cursor
 * with `team=platform`) would answer that list from an arbitrary point, silently skipping items.
 */
export function bindCursor(cursor: string | null, filters: ListFilters): string | null {
  return cursor === null ? null : `${cursor}.${filtersTag(filters)}`;
}

/**
 * The store's cursor in a cursor from `bindCursor`, or the 400's message when it continues a list
 * of other filters. A cursor without filters is a store's cursor as a replica of an earlier
 * version handed it out (a rolling update): taken as it is.
 */
export function unbindCursor(cursor: string, filters: ListFilters): { cursor: string } | { error: string } {
  const dot = cursor.lastIndexOf('.');
  if (dot < 0) return { cursor };
  const tag = cursor.slice(dot + 1);
  if (tag === filtersTag(filters)) return { cursor: cursor.slice(0, dot) };
  let bound: unknown;
  try {
    bound = JSON.parse(Buffer.from(tag, 'base64url').toString('utf8'));
  } catch {
    return { error: CURSOR_STALE };
  }
  const [team, status] = Array.isArray(bound) && bound.length === 2 ? (bound as unknown[]) : [];
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  if (!(team === null || typeof team === 'string') || !(status === null || typeof status === 'string')) return { error: CURSOR_STALE };
  return {
    error:
      `invalid cursor: it continues the list of ${describeFilters({ team: text(team), status: text(status) })}, not of ${describeFilters(filters)}: ` +
      'pass the same team and status as the page it came from, or no cursor to start again',
  };
}

/** Teams named in an unknown team's 400 at most. */
const TEAMS_LISTED = 20;

/**
 * The 400 issue for a `team` filter that names no team: none the routes configure, and nothing
 * stored for it (a team removed from the routes keeps its history, listed under its name).
 * Asked only when a page came back empty, so a known team costs nothing: a typo (`paymnets`,
 * `Payments`) must not pass for a team with nothing to list.
 */
export async function unknownTeamIssue(team: string | undefined, configured: readonly string[] | undefined, hasStored: (team: string) => Promise<boolean>): Promise<Issue | undefined> {
  if (team === undefined || configured === undefined || configured.includes(team) || (await hasStored(team))) return undefined;
  const name = quoted(team);
  return { path: 'team', message: `unknown team "${name}": no routes/${name}.yaml, and nothing stored for it (teams: ${teamsListed(configured)})` };
}

/** The configured teams as an unknown team's 400 names them: sorted, the first TEAMS_LISTED. */
export function teamsListed(configured: readonly string[]): string {
  const sorted = [...configured].sort();
  return sorted.slice(0, TEAMS_LISTED).join(', ') + (sorted.length > TEAMS_LISTED ? `, … and ${sorted.length - TEAMS_LISTED} more` : '');
}

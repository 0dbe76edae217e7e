/**
 * @module config/routes-semantics
 * Checks of `routes/*.yaml` that relate fields or files to each other (a route naming a receiver
 * the team has not configured, two teams owning one namespace, the fallback team existing, …).
 *
 * They read the raw YAML value, not the zod output, on purpose: a file with a schema error (say a
 * misspelt field) still gets its semantic errors reported in the same run, so an operator fixes
 * everything at once. Each accessor tolerates a wrong shape — the schema already reported it.
 * What a schema error itself leaves unset (a receiver whose `slack:` says `chanel:`) is not
 * reported again: one mistake, one error (see attempted()).
 */
import { accessSync, constants } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { closestName } from './closest-name.js';
import { describePath } from './describe-path.js';
import { looksLikeRoutingKey, secretShapeOf, whereSecretGoes, type SecretShape } from './looks-like-key.js';
import { fileNameProblem, teamMismatchMessage } from './team-name.js';
import { misspelledSeverities } from './route-severities.js';
import { isEnvName, routesFileSchema } from './routes-schema.js';
import { knownKeysAt } from './schema-keys.js';
import { namedEnvVar } from './named-env-var.js';
import type { SourceError } from './source-error.js';
import { errorAt as errorAtNode, positionOf, type PathSegment, type YamlSource } from './yaml-source.js';

export interface TeamFile {
  src: YamlSource;
  /** The team name the file name implies (`routes/payments.yaml` → `payments`). */
  expectedTeam: string;
}

function errorAt(src: YamlSource, path: readonly PathSegment[], message: string, severity: SourceError['severity'] = 'error'): SourceError {
  return errorAtNode(src, path, path.length > 0 ? `${describePath(path)}: ${message}` : message, severity);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function get(value: unknown, ...path: PathSegment[]): unknown {
  let v = value;
  for (const seg of path) {
    if (typeof seg === 'number') v = Array.isArray(v) ? v[seg] : undefined;
    else v = isRecord(v) ? v[seg] : undefined;
  }
  return v;
}

function list(value: unknown, ...path: PathSegment[]): unknown[] {
  const v = get(value, ...path);
  return Array.isArray(v) ? v : [];
}

function str(value: unknown, ...path: PathSegment[]): string | undefined {
  const v = get(value, ...path);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Whether `field` of the map at `at` is written, usable or not, or misspelt: a field the map does
 * not take is most likely it (`chanel:` for `channel:`, as the schema's "did you mean" says). The
 * schema reports either at the field, so what the field leaves unset (a receiver, a report's
 * channel) is not reported again as a second error of the same mistake.
 */
function attempted(doc: unknown, at: readonly PathSegment[], field: string): boolean {
  const map = get(doc, ...at);
  if (!isRecord(map)) return false;
  if (map[field] !== undefined) return true;
  const known = knownKeysAt(routesFileSchema, at);
  return !!known && Object.keys(map).some((key) => !known.includes(key) && closestName(key, known) === field);
}

/** Whether the team configured its Slack channel, or tried to (attempted). */
function teamSlackAttempted(doc: unknown): boolean {
  return !!str(doc, 'slack', 'channel') || attempted(doc, [], 'slack');
}

/** Errors and warnings that concern one team file alone. */
export function checkTeamFile(file: TeamFile, env: NodeJS.ProcessEnv): SourceError[] {
  const { src, expectedTeam } = file;
  const doc = src.value;
  if (!isRecord(doc)) return [];
  const out: SourceError[] = [];
  const team = doc['team'];
  const misnamed = fileNameProblem(basename(src.file), expectedTeam, team);
  if (misnamed) out.push(errorAt(src, ['team'], misnamed));
  else if (typeof team === 'string' && team !== expectedTeam) {
    out.push(errorAt(src, ['team'], teamMismatchMessage(src.file, team, expectedTeam)));
  }

  const teamChannel = teamSlackAttempted(doc);
  const pagerduty = get(doc, 'pagerduty');
  const pagerDutyAttempted = attempted(doc, [], 'pagerduty');
  const pasted = pastedSecrets(doc);
  for (const { at, shape } of pasted) out.push(errorAt(src, at, pastedSecretMessage(shape)));
  // A key pasted in the pagerduty section is told what to set there already.
  if (!pasted.some(({ at }) => at[0] === 'pagerduty')) out.push(...checkPagerDuty(src, doc, env));

  list(doc, 'routes').forEach((route, i) => {
    const routeChannel = str(route, 'slack', 'channel');
    const routeSlackAttempted = attempted(doc, ['routes', i], 'slack');
    const receivers = list(route, 'receivers');
    receivers.forEach((receiver, j) => {
      const at: PathSegment[] = ['routes', i, 'receivers', j];
      if (receiver === 'slack' && !teamChannel && !routeChannel && !routeSlackAttempted) {
        out.push(errorAt(src, at, `receiver "slack" is not configured: set slack.channel for the team or slack.channel on this route`));
      }
      if (receiver === 'pagerduty' && !pagerDutyAttempted) {
        out.push(errorAt(src, at, `receiver "pagerduty" is not configured: add a pagerduty: section with routingKeyEnv or routingKeyFile`));
      }
    });
    list(route, 'matchers').forEach((source, j) => {
      if (typeof source !== 'string') return;
      for (const { value, meant, severities } of misspelledSeverities(source, env)) {
        const message =
          `severity "${value}" is none of the severities of alertgate's rules (${severities.join(', ')}; ALERTGATE_SEVERITIES); did you mean "${meant}"? ` +
          `Matchers compare exactly: alerts with severity "${meant}" do not match this route`;
        out.push(errorAt(src, ['routes', i, 'matchers', j], message, 'warning'));
      }
    });
    if (routeChannel && !receivers.includes('slack')) {
      out.push(errorAt(src, ['routes', i, 'slack'], `slack channel override has no effect: the route's receivers do not include slack`, 'warning'));
    }
  });

  list(doc, 'reports').forEach((report, i) => {
    if (isRecord(report) && !str(report, 'channel') && !attempted(doc, ['reports', i], 'channel') && !teamChannel) {
      out.push(errorAt(src, ['reports', i], 'report has no channel: set channel here or slack.channel for the team'));
    }
  });

  list(doc, 'maintenance').forEach((window, i) => out.push(...checkMaintenance(src, window, ['maintenance', i])));
  out.push(...duplicatesWithin(src, list(doc, 'owns', 'namespaces'), ['owns', 'namespaces'], 'namespace'));
  return out;
}

/** What is said at a value shaped like a secret (pastedSecrets), which is never quoted. */
function pastedSecretMessage(shape: SecretShape): string {
  const where =
    shape === 'a PagerDuty routing key'
      ? 'put the key in a Kubernetes Secret and name it with pagerduty.routingKeyEnv or routingKeyFile, never the key in routes/'
      : whereSecretGoes(shape);
  return `this value looks like ${shape} itself (not shown here): ${where}; rotate it if this file was committed or shared`;
}

/**
 * Values shaped like a secret (a PagerDuty routing key, a Slack token or webhook URL) and where:
 * `routingKey: e93f…`, `channel: xoxb-…`, `webhook: https://hooks.slack.com/services/…`. The
 * schema only calls the field unknown (or the channel no channel, or takes a lower-case token as
 * one), and the author, not told the value is a secret, fixes the field and leaves the secret in
 * the repository. A routing key in routingKeyEnv or routingKeyFile is left to checkPagerDuty,
 * which says it in the field's own words. Fields whose values are names (`team:`,
 * `owns.namespaces`) are not looked at: a team or namespace may be 32 lower-case letters and
 * digits, and refusing it would fail a reload.
 */
function pastedSecrets(value: unknown, path: PathSegment[] = [], within: ReadonlySet<object> = new Set()): { at: PathSegment[]; shape: SecretShape }[] {
  if (typeof value === 'string') {
    const shape = isNameField(path) ? undefined : secretShapeOf(value);
    const own = path.length === 2 && path[0] === 'pagerduty' && (path[1] === 'routingKeyEnv' || path[1] === 'routingKeyFile');
    return shape && !(own && shape === 'a PagerDuty routing key') ? [{ at: path, shape }] : [];
  }
  // A map or list that holds itself through an alias (`&a` … `<<: *a`) is one cycle: its values
  // were looked at already (walking on overflowed the stack, and the load threw).
  if (typeof value !== 'object' || value === null || within.has(value)) return [];
  const inside = new Set(within).add(value);
  if (Array.isArray(value)) return value.flatMap((v, i) => pastedSecrets(v, [...path, i], inside));
  if (isRecord(value)) return Object.entries(value).flatMap(([k, v]) => pastedSecrets(v, [...path, k], inside));
  return [];
}

function isNameField(path: readonly PathSegment[]): boolean {
  if (path.length === 1) return path[0] === 'team';
  return path.length === 3 && path[0] === 'owns' && path[1] === 'namespaces' && typeof path[2] === 'number';
}

/** What refuses a routingKeyEnv or routingKeyFile that holds the key itself (`takes`: what the field wants). */
function keyInPlaceOf(takes: string): string {
  return `takes ${takes}, but this value looks like a PagerDuty routing key itself (not shown here): put the key in a Kubernetes Secret, never in routes/, and rotate it if this file was committed or shared`;
}

function checkPagerDuty(src: YamlSource, doc: Record<string, unknown>, env: NodeJS.ProcessEnv): SourceError[] {
  const pagerduty = doc['pagerduty'];
  if (!isRecord(pagerduty)) return [];
  const keyEnv = str(pagerduty, 'routingKeyEnv');
  const keyFile = str(pagerduty, 'routingKeyFile');
  if (keyEnv && keyFile) {
    return [errorAt(src, ['pagerduty'], 'set exactly one of routingKeyEnv and routingKeyFile, not both')];
  }
  // A misspelt or wrongly written routingKeyEnv/routingKeyFile is the schema's error already.
  // So is a field of another name (`routingKey: PAGERDUTY_ORDERS_KEY`, `env:`): its unknown-field
  // error lists the two fields, at the mistake; a second error here would only repeat it.
  const tried =
    attempted(doc, ['pagerduty'], 'routingKeyEnv') ||
    attempted(doc, ['pagerduty'], 'routingKeyFile') ||
    Object.keys(pagerduty).some((k) => k !== 'routingKeyEnv' && k !== 'routingKeyFile');
  if (!keyEnv && !keyFile && !tried) {
    return [errorAt(src, ['pagerduty'], 'set exactly one of routingKeyEnv and routingKeyFile')];
  }
  // The key itself where its variable's name belongs: said without the value, which every
  // message below would otherwise print (a key in CI output and in the gateway's logs).
  if (keyEnv && looksLikeRoutingKey(keyEnv)) {
    return [errorAt(src, ['pagerduty', 'routingKeyEnv'], keyInPlaceOf('the name of the environment variable that holds the key'))];
  }
  if (keyFile && looksLikeRoutingKey(keyFile)) {
    return [errorAt(src, ['pagerduty', 'routingKeyFile'], keyInPlaceOf('the absolute path of the file that holds the key'))];
  }
  // Secrets are injected at deploy time, so a missing one is a warning, not an error. A value
  // that is no variable's name is the schema's error, which does not quote it (it could be a
  // token pasted there); this warning would. Blank is no key: the sender trims it
  // (delivery/pagerduty/routing-key), and its pages would fail.
  if (keyEnv && isEnvName(keyEnv) && !namedEnvVar(env, keyEnv)?.trim()) {
    return [
      errorAt(src, ['pagerduty', 'routingKeyEnv'], `environment variable ${keyEnv} is not set: PagerDuty notifications of this team will fail until it is`, 'warning'),
    ];
  }
  if (keyFile) {
    if (!isAbsolute(keyFile)) {
      return [errorAt(src, ['pagerduty', 'routingKeyFile'], 'must be an absolute path (a mounted secret)')];
    }
    try {
      accessSync(keyFile, constants.R_OK);
    } catch {
      return [
        errorAt(src, ['pagerduty', 'routingKeyFile'], `routing key file ${keyFile} is not readable: PagerDuty notifications of this team will fail until it is`, 'warning'),
      ];
    }
  }
  return [];
}

function checkMaintenance(src: YamlSource, window: unknown, at: PathSegment[]): SourceError[] {
  if (!isRecord(window)) return [];
  const has = (k: string) => window[k] !== undefined && window[k] !== null;
  const out: SourceError[] = [];
  if (has('schedule') && (has('start') || has('end'))) {
    out.push(errorAt(src, at, 'use either schedule + duration (recurring) or start + end (one-off), not both'));
  } else if (has('schedule') && window['duration'] === undefined) {
    // An empty `duration:` is the schema's error already (it wants a duration there): one mistake, one error.
    out.push(errorAt(src, [...at, 'schedule'], 'a schedule needs a duration'));
  } else if (!has('schedule') && has('duration')) {
    out.push(errorAt(src, [...at, 'duration'], 'duration only applies with a schedule'));
  } else if (has('start') !== has('end')) {
    out.push(errorAt(src, at, 'a one-off window needs both start and end'));
  } else if (!has('schedule') && !has('start')) {
    out.push(errorAt(src, at, 'set schedule + duration or start + end'));
  }
  const start = typeof window['start'] === 'string' ? Date.parse(window['start']) : NaN;
  const end = typeof window['end'] === 'string' ? Date.parse(window['end']) : NaN;
  if (!Number.isNaN(start) && !Number.isNaN(end) && end <= start) {
    out.push(errorAt(src, [...at, 'end'], 'end must be after start'));
  }
  if (window['duration'] === '0') out.push(errorAt(src, [...at, 'duration'], 'duration must be positive'));
  return out;
}

function duplicatesWithin(src: YamlSource, items: unknown[], at: PathSegment[], what: string): SourceError[] {
  const seen = new Set<string>();
  const out: SourceError[] = [];
  items.forEach((item, i) => {
    if (typeof item !== 'string') return;
    if (seen.has(item)) out.push(errorAt(src, [...at, i], `${what} "${item}" is listed twice`));
    seen.add(item);
  });
  return out;
}

/**
 * Checks across all team files: one owner per namespace, one file per team, and a fallback team
 * that exists and can receive (otherwise an alert nobody owns would have nowhere to go).
 * `missingFallbackHint` is added to the missing fallback team's error (why its file is missing).
 */
export function checkAcrossTeams(files: TeamFile[], fallbackTeam: string, routesDirLabel: string, missingFallbackHint?: string): SourceError[] {
  const out: SourceError[] = [];
  // The first owner's position is only looked up for a clash: a quickly read file has none yet (yaml-quick.ts).
  const owners = new Map<string, { team: string; src: YamlSource; path: PathSegment[] }>();
  const teamFiles = new Map<string, string>();
  for (const { src, expectedTeam } of files) {
    const earlier = teamFiles.get(expectedTeam);
    if (earlier) {
      out.push(errorAt(src, [], `team "${expectedTeam}" is already defined in ${earlier}`));
    } else {
      teamFiles.set(expectedTeam, src.file);
    }
    const team = str(src.value, 'team') ?? expectedTeam;
    list(src.value, 'owns', 'namespaces').forEach((ns, i) => {
      if (typeof ns !== 'string') return;
      const path = ['owns', 'namespaces', i];
      const owner = owners.get(ns);
      if (!owner) {
        owners.set(ns, { team, src, path });
      } else if (owner.team !== team) {
        const { line, col } = positionOf(owner.src, owner.path);
        out.push(errorAt(src, path, `namespace "${ns}" is already owned by team "${owner.team}" (${owner.src.file}:${line}:${col}); a namespace has one owner`));
        // Also at the first owner: files are read by name, so the team whose pull request adds
        // the clash may be either one, and its author looks at its own file first.
        const here = positionOf(src, path);
        out.push(errorAt(owner.src, owner.path, `namespace "${ns}" is also owned by team "${team}" (${src.file}:${here.line}:${here.col}); a namespace has one owner`));
      }
    });
  }

  const fallback = files.find((f) => f.expectedTeam === fallbackTeam);
  const where = { file: routesDirLabel, line: 1, col: 1, severity: 'error' as const };
  if (!fallback) {
    out.push({
      ...where,
      message: `fallback team "${fallbackTeam}" (FALLBACK_TEAM) has no routes file ${routesDirLabel}${fallbackTeam}.yaml: alerts no team owns would have nowhere to go${missingFallbackHint ? `; ${missingFallbackHint}` : ''}`,
    });
  } else if (fallback.src.value != null && !teamSlackAttempted(fallback.src.value) && !attempted(fallback.src.value, [], 'pagerduty')) {
    // (A file with nothing in it, or not UTF-8, is already reported as such at its line 1.)
    out.push(
      errorAt(fallback.src, [], `fallback team "${fallbackTeam}" needs slack.channel or pagerduty: it receives every alert no other route can deliver`),
    );
  }
  return out;
}

/**
 * Hostile input at the configuration: the matcher parser and the YAML loaders (routes, rules,
 * dashboards). Generated matcher strings either parse or throw an Error that says what is wrong,
 * quickly (no catastrophic backtracking); generated and mutated YAML files give positioned errors,
 * never a throw (a throw would crash SIGHUP reloads and answer 500 on POST /-/reload).
 */
import { mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRoutingConfig } from '../src/config/load-routes.js';
import { loadTeamSpecs } from '../src/config/load-team-specs.js';
import { formatMatcher, parseMatchers } from '../src/config/matchers.js';
import { formatSourceError, type SourceError } from '../src/config/source-error.js';
import { hostileText } from './support/fault-arbitraries.js';
import { fastestRunMs, fastestRunMsAsync } from './support/timing.js';

const MATCHER_RUNS = 10_000;
/** Own properties named like Object.prototype's (JSON.parse makes `__proto__` an own key). */
const HOSTILE_LABELS = JSON.parse('{"a":"x","constructor":"y","__proto__":"z","severity":"critical"}') as Record<string, string>;
const ROUTES_RUNS = 2_000;
const SPECS_RUNS = 1_000;
/**
 * A parse slower than this is a hang in the making: quadratic backtracking on the 50,000-char
 * inputs below takes seconds, linear parsing a few ms (the margin, and timing an over-limit parse
 * again, are for a loaded CI machine: support/timing.ts).
 */
const SLOW_MS = 1000;

// ---------------------------------------------------------------------------------------------
// Matchers

const labelName = fc.oneof(fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,10}$/), hostileText(8));
const op = fc.constantFrom('=', '!=', '=~', '!~', '==', '~', '!', '');
const regexPiece = fc.constantFrom(
  '(a+)+', '(a|a)*', '.*', '[[:alpha:]]', '\\pL', '\\p{Greek}', '(?i)x', '(?s).', '(?P<n>x)', 'a{1000}', 'a{1001}', 'a{2,1}',
  '\\d+', '\\', '[', ']', '(', ')', '{', '}', '|', '^', '$', '\\z', '\\A', '\\Q*\\E', '(?=x)', '\\1', '[^]', '[a-', 'x**', '\\x{10FFFF}',
);
const value = fc.oneof(
  hostileText(20),
  fc.array(fc.oneof(regexPiece, fc.string({ maxLength: 3 })), { maxLength: 8 }).map((p) => p.join('')),
);
const quoted = value.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
const oneMatcher = fc.tuple(fc.constantFrom('', ' ', '\t\n'), labelName, op, fc.oneof(quoted, value), fc.constantFrom('', ' ', '  \t')).map((p) => p.join(''));
const matcherString = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.boolean(), fc.array(oneMatcher, { maxLength: 4 }), fc.constantFrom(',', ', ', ',,')).map(([braces, ms, sep]) => (braces ? `{${ms.join(sep)}}` : ms.join(sep))) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...'{}=!~",\\ \t\nab.*+?()[]|'.split('')), maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  // Long runs that trip backtracking in naive regexes (whitespace around values, backslashes, quotes).
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(' ', '\\', '"', ',', 'a', '\t'), fc.integer({ min: 1000, max: 50_000 }), fc.constantFrom('a=', 'a="', 'a=~"', '{a=', '')).map(
      ([c, n, prefix]) => `${prefix}${c.repeat(n)}x${c.repeat(n)}`,
    ),
  },
);

describe('matcher parser under hostile input', () => {
  it(`${MATCHER_RUNS} generated matcher strings: parse or throw an Error with a message, fast; parsed ones round-trip`, () => {
    let parsed = 0;
    let slowest = 0;
    fc.assert(
      fc.property(matcherString, (s) => {
        let set: ReturnType<typeof parseMatchers> | undefined;
        try {
          set = parseMatchers(s);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          expect((err as Error).message.length).toBeGreaterThan(0);
        }
        const took = fastestRunMs(() => parseMatchers(s), SLOW_MS);
        slowest = Math.max(slowest, took);
        expect(took).toBeLessThan(SLOW_MS);
        if (!set) return;
        parsed += 1;
        for (const m of set.matchers) {
          expect(m.name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
          expect(['=', '!=', '=~', '!~']).toContain(m.op);
        }
        // What we print back (in messages, route-test output) parses to the same matchers.
        if (set.matchers.length > 0) expect(parseMatchers(set.matchers.map(formatMatcher).join(', ')).matchers).toEqual(set.matchers);
        // Matching hostile labels answers a boolean (label values from alerts are attacker-controlled).
        expect(typeof set.matches(HOSTILE_LABELS)).toBe('boolean');
      }),
      { numRuns: MATCHER_RUNS },
    );
    expect(parsed).toBeGreaterThan(MATCHER_RUNS * 0.1);
    process.stdout.write(`matcher property: ${parsed}/${MATCHER_RUNS} parsed, slowest ${slowest.toFixed(1)} ms\n`);
  }, 300_000);

  it('50,000 spaces around a value parse in linear time (the Go regexp\'s trailing \\s*$ backtracked quadratically)', () => {
    const spaced = `severity=${' '.repeat(50_000)}critical${' '.repeat(50_000)}`;
    const unterminated = `a=${' '.repeat(50_000)}"x`;
    expect(parseMatchers(spaced).matchers).toEqual([{ name: 'severity', op: '=', value: 'critical' }]);
    expect(() => parseMatchers(unterminated)).toThrow(/unescaped double quote/);
    expect(fastestRunMs(() => parseMatchers(spaced), SLOW_MS)).toBeLessThan(SLOW_MS);
    expect(fastestRunMs(() => parseMatchers(unterminated), SLOW_MS)).toBeLessThan(SLOW_MS);
  });
});

// ---------------------------------------------------------------------------------------------
// YAML loaders

const ROOT = new URL('../', import.meta.url);
let dir: string;
let seeds: { routes: unknown[]; rules: unknown[]; dashboards: unknown[] };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertgate-prop-config-'));
  const read = async (folder: string, names: string[]) =>
    Promise.all(names.map(async (n) => parseYaml(await readFile(new URL(`${folder}/${n}.yaml`, ROOT), 'utf8')) as unknown));
  seeds = {
    routes: await read('routes', ['payments', 'platform', 'prisons']),
    rules: await read('rules', ['payments', 'prisons']),
    dashboards: await read('dashboards', ['payments', 'prisons']),
  };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every path into a plain value (objects and arrays), for picking a place to mutate. */
function pathsOf(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...prefix, k], out);
  return out;
}

function setAt(root: unknown, path: (string | number)[], replacement: unknown, remove: boolean): unknown {
  if (path.length === 0) return replacement;
  const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], root) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (remove) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else {
    parent[key] = replacement;
  }
  return root;
}

const replacement = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  hostileText(30),
  matcherString.map((s) => [s]),
  fc.constantFrom('', 'payments', '#payments-alerts', '4h', '-1h', '0 9 1 * *', '99 99 99 99 99', 'Europe/Nowhere', 1e308, -1, [], {}, null),
);

/** A seed document with 0–3 values replaced or removed, dumped as YAML, under its team's file name. */
function mutatedDocument(pick: () => unknown[]): fc.Arbitrary<[string, string]> {
  return fc.tuple(fc.nat(), fc.array(fc.tuple(fc.nat(), replacement, fc.boolean()), { maxLength: 3 })).map(([which, edits]) => {
    const pool = pick();
    const seed = pool[which % pool.length] as { team: string };
    let doc: unknown = structuredClone(seed);
    for (const [at, value, remove] of edits) {
      const paths = pathsOf(doc);
      doc = setAt(doc, paths[at % paths.length]!, value, remove);
    }
    return [seed.team, (stringifyYaml(doc) as string | undefined) ?? ''];
  });
}

const YAML_TOKENS = [':', ': ', '- ', '[', ']', '{', '}', '&a ', '*a', '!!binary ', '!!str', '!custom', '|', '>-', '#', "'", '"', '\t', '\n', '  ', '---\n', '...\n', '<<: *a\n', '? ', '%YAML 1.1\n', '\ufeff', '\u0000'];

/** YAML-ish text: tokens, text-level damage to a valid file, alias bombs, duplicate keys, several documents. */
function rawYaml(valid: fc.Arbitrary<[string, string]>): fc.Arbitrary<[string, string]> {
  const bomb = fc.integer({ min: 3, max: 9 }).map((levels) => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i <= levels; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    return `team: payments\n${text}`;
  });
  const damaged: fc.Arbitrary<string> = fc.oneof(
    fc.tuple(valid, fc.nat(), fc.nat(), fc.constantFrom(...YAML_TOKENS)).map(([[, t], a, b, tok]) => {
      const i = a % (t.length + 1);
      return t.slice(0, i) + tok + t.slice(i + (b % 20));
    }),
    fc.tuple(valid, fc.nat()).map(([[, t], n]) => {
      const lines = t.split('\n');
      const i = n % lines.length;
      return [...lines.slice(0, i + 1), lines[i], ...lines.slice(i + 1)].join('\n'); // duplicate a key
    }),
    fc.tuple(valid, valid).map(([[, a], [, b]]) => `${a}\n---\n${b}`),
    fc.array(fc.oneof(fc.constantFrom(...YAML_TOKENS), hostileText(6)), { maxLength: 30 }).map((p) => p.join('')),
    bomb,
    fc.jsonValue().map((v) => (stringifyYaml(v) as string | undefined) ?? ''),
    fc.string({ unit: 'binary', maxLength: 200 }),
  );
  return fc.tuple(fc.constantFrom('payments', 'prisons', 'platform', 'Bad_Name', 'x'), damaged);
}

const routesFile = mutatedDocument(() => seeds.routes);
const rulesFile = mutatedDocument(() => seeds.rules);
const dashboardsFile = mutatedDocument(() => seeds.dashboards);
const anyRoutesFile = fc.oneof({ weight: 3, arbitrary: routesFile }, { weight: 1, arbitrary: rawYaml(routesFile) });

/**
 * Makes the folder `folder` under the temp dir hold exactly `files` (name → text), as a fresh
 * folder would. The folder is kept from run to run and its files are unlinked and created anew,
 * synchronously: on ext4, removing the folder (rmdir) or writing over a file (a truncate, which
 * makes ext4 flush the new data at close) each cost 1–2.5 ms against ~0.1 ms for an unlink and a
 * create, and the thread-pool round trip of each asynchronous call came on top (together a third
 * of the routes property's time). The loaders under test read with their own calls, as before.
 */
function writeFolder(folder: string, files: [string, string][]): void {
  const path = join(dir, folder);
  mkdirSync(path, { recursive: true });
  for (const entry of readdirSync(path)) unlinkSync(join(path, entry));
  for (const [name, text] of files) writeFileSync(join(path, `${name}.yaml`), text);
}

function expectPositioned(errors: SourceError[], folder: string): void {
  for (const e of errors) {
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.col).toBeGreaterThanOrEqual(1);
    expect(formatSourceError(e)).toMatch(new RegExp(`^${folder}/[^:]*:\\d+:\\d+ `));
  }
}

describe('YAML loaders under hostile input', () => {
  it(`${ROUTES_RUNS} generated routes/ folders: a config or positioned errors, never a throw`, async () => {
    const outcomes = { config: 0, errors: 0 };
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(anyRoutesFile, { minLength: 1, maxLength: 3, selector: ([n]) => n }), async (files) => {
        // The fallback team must exist; keep an intact one unless the generator wrote its own.
        const platform = files.some(([n]) => n === 'platform') ? [] : [['platform', stringifyYaml(seeds.routes[1])] as [string, string]];
        writeFolder('routes', [...files, ...platform]);
        const load = () => loadRoutingConfig(dir, { PAGERDUTY_PAYMENTS_KEY: 'k' });
        const started = performance.now();
        const result = await load();
        const took = performance.now() - started;
        // Loaded again only when over the limit (support/timing.ts): a GC pause is not a hang.
        expect(took < 2000 ? took : await fastestRunMsAsync(load, 2000)).toBeLessThan(2000);
        expect(result.config === undefined).toBe(result.errors.length > 0);
        expectPositioned([...result.errors, ...result.warnings], 'routes');
        outcomes[result.config ? 'config' : 'errors'] += 1;
      }),
      { numRuns: ROUTES_RUNS },
    );
    expect(outcomes.errors).toBeGreaterThan(ROUTES_RUNS * 0.2);
    expect(outcomes.config).toBeGreaterThan(ROUTES_RUNS * 0.1);
    process.stdout.write(`routes loader property: ${JSON.stringify(outcomes)}\n`);
  }, 300_000);

  it(`${SPECS_RUNS} generated rules/ and dashboards/ folders: specs or positioned errors, never a throw`, async () => {
    writeFolder('routes', []);
    const outcomes = { specs: 0, errors: 0 };
    await fc.assert(
      fc.asyncProperty(fc.oneof(rulesFile, rawYaml(rulesFile)), fc.oneof(dashboardsFile, rawYaml(dashboardsFile)), async (rules, dashboards) => {
        writeFolder('rules', [rules]);
        writeFolder('dashboards', [dashboards]);
        const result = await loadTeamSpecs(dir, { routeTeams: new Set(['payments', 'prisons', 'platform']) });
        expect(result.specs === undefined).toBe(result.errors.length > 0);
        for (const e of [...result.errors, ...result.warnings]) expect(formatSourceError(e)).toMatch(/^(rules|dashboards)\/[^:]*:\d+:\d+ /);
        outcomes[result.specs ? 'specs' : 'errors'] += 1;
      }),
      { numRuns: SPECS_RUNS },
    );
    expect(outcomes.errors).toBeGreaterThan(SPECS_RUNS * 0.2);
    expect(outcomes.specs).toBeGreaterThan(SPECS_RUNS * 0.01);
    process.stdout.write(`rules/dashboards loader property: ${JSON.stringify(outcomes)}\n`);
  }, 300_000);

  it('an alias bomb ("billion laughs") is refused with a positioned error instead of a throw', async () => {
    const bomb = ['team: payments', 'a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]', ''].join('\n');
    writeFolder('routes', [['payments', bomb]]);
    const result = await loadRoutingConfig(dir, {});
    expect(result.config).toBeUndefined();
    expect(result.errors.map(formatSourceError)).toContainEqual(expect.stringMatching(/^routes\/payments\.yaml:3:\d+ .*resource exhaustion/i));
    writeFolder('rules', [['payments', bomb]]);
    writeFolder('dashboards', []);
    const specs = await loadTeamSpecs(dir, { routeTeams: new Set(['payments']) });
    expect(specs.errors.map(formatSourceError)).toEqual([expect.stringMatching(/^rules\/payments\.yaml:3:\d+ .*resource exhaustion/i)]);
  });
});

/**
 * The operator documentation says what the code does: README tables render whole, its metrics
 * list names exactly the metrics /metrics serves, by the names and labels a query needs, its Environment
 * table every variable the code reads (with the default and least value the code uses), its Command line
 * tables every flag each command takes, its HTTP API table every
 * endpoint /openapi.json describes, and its command-line examples what the commands print.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { readSettings } from '../src/config/env.js';
import { dashboardsFileSchema } from '../src/config/dashboards-schema.js';
import { DEFAULT_SEVERITIES } from '../src/config/rules-schema.js';
import { openApiDocument } from '../src/http/openapi.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { DEFAULT_TEST_POSTGRES_URL } from '../src/testing/postgres.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The Operations "Metrics" bullet (up to the next bullet). */
function metricsBullet(): string {
  const start = README.indexOf('- **Metrics**');
  const end = README.indexOf('\n- **', start + 1);
  if (start === -1 || end === -1) throw new Error('README has no "- **Metrics**" bullet in Operations');
  return README.slice(start, end);
}

/** The rows of the first table after `heading` (a whole heading line), as cells. */
function tableAfter(heading: string, doc = README, docName = 'README'): string[][] {
  const lines = doc.split('\n');
  const at = lines.indexOf(heading);
  if (at === -1) throw new Error(`${docName} has no heading "${heading}"`);
  const first = lines.findIndex((l, i) => i > at && l.startsWith('|'));
  const rows: string[][] = [];
  // Header and delimiter rows skipped; a cell's `|` only ever stands inside backticks here as `\|`.
  for (let i = first + 2; lines[i]?.startsWith('|'); i++) rows.push(lines[i]!.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  return rows;
}

const backticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/**
 * The environment variables each source file reads: `env.X`, `env['X']`, and the helpers that take
 * `(env, 'X')`; `readSecret`/`secretFile`/`readTokenList` read `X_FILE` too.
 */
function variablesRead(): Map<string, Set<string>> {
  const src = fileURLToPath(new URL('../src/', import.meta.url));
  const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => /\.tsx?$/.test(f) && !/\.(test|case)\.tsx?$/.test(f) && !f.startsWith('testing/'));
  const read = new Map<string, Set<string>>();
  for (const file of files) {
    const text = readFileSync(`${src}${file}`, 'utf8');
    const names = new Set<string>();
    for (const m of text.matchAll(/\benv(?:\.|\[['"])([A-Z][A-Z0-9_]*)/g)) names.add(m[1]!);
    for (const m of text.matchAll(/\b(\w+)\(env, '([A-Z][A-Z0-9_]*)'/g)) {
      names.add(m[2]!);
      if (['readSecret', 'secretFile', 'readTokenList'].includes(m[1]!)) names.add(`${m[2]}_FILE`);
    }
    for (const name of names) read.set(name, (read.get(name) ?? new Set()).add(file));
  }
  return read;
}

describe('README', () => {
  it('has no table cut in two: every run of table rows starts with a header and its delimiter row', () => {
    const lines = README.split('\n');
    const broken: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const row = lines[i]!.startsWith('|');
      const startsRun = row && !lines[i - 1]?.startsWith('|');
      // Markdown starts a table only at a header row followed by |---|: rows after a blank line are text.
      if (startsRun && !/^\|(\s*:?-+:?\s*\|)+\s*$/.test(lines[i + 1] ?? '')) broken.push(`line ${i + 1}: ${lines[i]}`);
    }
    expect(broken).toEqual([]);
  });

  it('names every alertgate metric in the Operations metrics list', () => {
    const m = createMetrics({ outboxDepth: async () => 0, oldestWaitingCreatedAt: async () => null, heldGroups: async () => ({}), defaultMetrics: false });
    const names = m.registry.getMetricsAsArray().map((metric) => metric.name.replace(/^alertgate_/, ''));
    const listed = new Set([...metricsBullet().matchAll(/`(?:alertgate_)?([a-z_]+)(?:\{[^}]*\})?`/g)].map((x) => x[1]));
    expect(names.filter((n) => !listed.has(n))).toEqual([]);
  });

  it('gives each metric in the Operations metrics list the labels it has, and a counter its _total', () => {
    const m = createMetrics({ outboxDepth: async () => 0, oldestWaitingCreatedAt: async () => null, heldGroups: async () => ({}), defaultMetrics: false });
    const served = new Map(m.registry.getMetricsAsArray().map((metric) => [metric.name.replace(/^alertgate_/, ''), metric]));
    // prom-client keeps a metric's label names on the instance (not in its public type).
    const labelsOf = (name: string) => [...((served.get(name) as unknown as { labelNames?: string[] }).labelNames ?? [])].sort().join(',');
    const wrong: string[] = [];
    const shownWithLabels = new Set<string>();
    // `name{a,b}` names the labels a query needs; `name{a="x"}` (a selector) is not a list of them.
    for (const [, name, labels] of metricsBullet().matchAll(/`(?:alertgate_)?([a-z_]+)\{([a-z_,]+)\}`/g)) {
      if (!served.has(name!)) continue; // the first test reports names not served
      shownWithLabels.add(name!);
      const listed = labels!.split(',').sort().join(',');
      if (listed !== labelsOf(name!)) wrong.push(`${name}: README {${listed}}, code {${labelsOf(name!)}}`);
    }
    for (const [name, metric] of served) {
      if (labelsOf(name) !== '' && !shownWithLabels.has(name)) wrong.push(`${name}: labelled {${labelsOf(name)}} in the code, never shown with them in README`);
      // A query writes increase()/rate() of a counter by its _total name, and of nothing else.
      const type = (metric as unknown as { type: string }).type;
      if ((type === 'counter') !== name.endsWith('_total')) wrong.push(`${name}: a ${type}${type === 'counter' ? ' without' : ' with'} the _total suffix`);
    }
    expect(wrong).toEqual([]);
    m.registry.clear();
  });

  it('names only files and sections that exist (README, deploy manifests, source comments)', () => {
    const root = new URL('../', import.meta.url);
    const read = (rel: string) => readFileSync(new URL(rel, root), 'utf8');
    const sources = [
      'README.md',
      ...readdirSync(new URL('deploy/kubernetes/', root)).map((f) => `deploy/kubernetes/${f}`),
      ...(readdirSync(new URL('src/', root), { recursive: true }) as string[]).filter((f) => /\.tsx?$/.test(f)).map((f) => `src/${f}`),
    ];
    // Sections are headings and the bold labels that open Operations bullets.
    const headings = new Set([...README.matchAll(/^(?:#+ (.+)|- \*\*(.+?)\*\*)/gm)].map((m) => (m[1] ?? m[2])!.trim()));
    const missing: string[] = [];
    for (const file of sources) {
      const text = read(file);
      // Paths into the repository; a `.js` import path names its `.ts` source.
      for (const [path] of text.matchAll(/\b(?:src|test|bench|docs|deploy|bin)\/[\w./-]+\.(?:ts|tsx|md|yaml|js|json)\b/g)) {
        if (!existsSync(new URL(path, root)) && !existsSync(new URL(path.replace(/\.js$/, '.ts'), root))) missing.push(`${file}: ${path}`);
      }
      for (const [, section] of text.matchAll(/README(?:\.md)?, "([^"]+)"/g)) {
        // A YAML comment wraps the name over `#` lines.
        if (!headings.has(section!.replace(/\s*\n#?\s*/g, ' '))) missing.push(`${file}: README section "${section}"`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the example config (dashboards/, rules/) queries only metrics alertgate serves', () => {
    const m = createMetrics({ outboxDepth: async () => 0, heldGroups: async () => ({}) });
    const served = new Set(m.registry.getMetricsAsArray().map((metric) => metric.name));
    const unknown: string[] = [];
    for (const dir of ['dashboards', 'rules']) {
      for (const file of readdirSync(new URL(`../${dir}/`, import.meta.url))) {
        const text = readFileSync(new URL(`../${dir}/${file}`, import.meta.url), 'utf8');
        for (const [name] of text.matchAll(/\balertgate_[a-z_]+/g)) {
          if (!served.has(name.replace(/_(?:bucket|count|sum)$/, ''))) unknown.push(`${dir}/${file}: ${name}`);
        }
      }
    }
    expect(unknown).toEqual([]);
    m.registry.clear();
  });

  it('gives process metrics their alertgate_ prefix (a query for nodejs_… finds nothing)', () => {
    expect([...README.matchAll(/`((?:nodejs|process)_[a-z_]+)/g)].map((x) => x[1])).toEqual([]);
  });

  it('lists in the Environment table every variable the code reads, and only those', () => {
    const documented = new Set(tableAfter('### Environment').flatMap((row) => backticked(row[0]!)));
    // `generate`'s own options have a table of their own (Command line).
    const generateOptions = new Set(tableAfter('`generate` options (flags win over environment variables):').flatMap((row) => backticked(row[1]!)).map((v) => v.replace(/=.*/, '')));
    const read = variablesRead();
    const missing = [...read].filter(([name, files]) => !documented.has(name) && !([...files].every((f) => f === 'cli/generate.ts') && generateOptions.has(name)));
    expect(missing.map(([name, files]) => `${name} (read in ${[...files].join(', ')})`)).toEqual([]);
    expect([...documented].filter((name) => !read.has(name))).toEqual([]);
  });

  it('names every variable the tests and benchmarks read (README or docs/performance.md)', () => {
    const docs = README + readFileSync(new URL('../docs/performance.md', import.meta.url), 'utf8');
    const unnamed = new Set<string>();
    for (const dir of ['test', 'bench']) {
      const root = fileURLToPath(new URL(`../${dir}/`, import.meta.url));
      for (const file of (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.includes('.scratch'))) {
        const text = readFileSync(`${root}${file}`, 'utf8');
        // process.env.X only: a test's own `env.X` may be a gateway setting it passes on (documented above).
        for (const [, name] of text.matchAll(/\bprocess\.env\.([A-Z][A-Z0-9_]*)/g)) {
          if (!['PATH', 'HOME'].includes(name!) && !docs.includes(`\`${name}`)) unnamed.add(`${name} (${dir}/${file})`);
        }
      }
    }
    expect([...unnamed]).toEqual([]);
  });

  it('states in the Environment table the defaults the code uses', () => {
    // Defaults kept outside readSettings, by the variable that selects them.
    const elsewhere: Record<string, string> = { ALERTGATE_SEVERITIES: DEFAULT_SEVERITIES.join(',') };
    const defaults = readSettings({}, '/srv');
    const wrong: string[] = [];
    let checked = 0;
    for (const [names, stated] of tableAfter('### Environment')) {
      // Only literal defaults (`8080`, `1000` / `300000`); "unset: …" or "current directory" say no value.
      if (!stated!.startsWith('`')) continue;
      const variables = backticked(names!);
      const values = backticked(stated!);
      expect(values, names).toHaveLength(variables.length);
      variables.forEach((name, i) => {
        checked += 1;
        if (name in elsewhere) {
          if (elsewhere[name] !== values[i]) wrong.push(`${name}: README ${values[i]}, code ${elsewhere[name]}`);
          return;
        }
        // Setting a variable to its documented default must change nothing.
        let explicit: unknown;
        try {
          explicit = readSettings({ [name]: values[i] }, '/srv');
        } catch (err) {
          explicit = (err as Error).message;
        }
        if (JSON.stringify(explicit) !== JSON.stringify(defaults)) wrong.push(`${name}=${values[i]} is not the default`);
      });
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it('states the least value of every number variable the code refuses 0 for', () => {
    // "The least values taken …: `1` for `A`, `B`; `10` for `C`; …" below the Environment table.
    const sentence = /^The least values taken[^:]*:([\s\S]*?`)\./.exec(README.slice(README.indexOf('### Environment')).split('\n\n').find((p) => p.startsWith('The least values taken')) ?? '');
    if (!sentence) throw new Error('README has no "The least values taken …" paragraph under ### Environment');
    // `N` for …: N is taken and N - 1 refused; above `N` for …: N is refused and N.5 taken.
    const least = new Map<string, { n: number; above: boolean }>();
    for (const part of sentence[1]!.split(';')) {
      const [, above, value, names] = /(above\s+)?`(\d+)`\s+for\s+(.*)/s.exec(part) ?? [];
      if (value === undefined) throw new Error(`cannot read "${part.trim()}" as "\`N\` for \`NAME\`, …" or "above \`N\` for …"`);
      for (const name of backticked(names!)) least.set(name, { n: Number(value), above: above !== undefined });
    }
    const refuses = (env: Record<string, string>) => {
      try {
        readSettings(env, '/srv');
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    };
    const wrong: string[] = [];
    for (const [name, { n, above }] of least) {
      const [taken, refused] = above ? [`${n}.5`, String(n)] : [String(n), n > 0 ? String(n - 1) : undefined];
      const problem = refuses({ [name]: taken });
      if (problem !== undefined) wrong.push(`${name}=${taken} is refused: ${problem}`);
      // The error names the variable (env-numbers.ts), as the README says every refusal does.
      if (refused !== undefined && !refuses({ [name]: refused })?.startsWith(name)) wrong.push(`${name}=${refused} is taken, though README says ${above ? 'above' : 'at least'} ${n}`);
    }
    // Every number variable with a literal default (`8080`) not listed must take 0, unless its row
    // states a floor of its own ("must exceed …": OUTBOX_LEASE_MS).
    for (const [names, stated, meaning] of tableAfter('### Environment')) {
      backticked(names!).forEach((name, i) => {
        if (least.has(name) || !/^\d+$/.test(backticked(stated!)[i] ?? '') || /must exceed/.test(meaning!)) return;
        if (refuses({ [name]: '0' })) wrong.push(`${name}=0 is refused (${refuses({ [name]: '0' })}): README lists no least value for it`);
      });
    }
    expect(wrong).toEqual([]);
    expect(least.size).toBeGreaterThan(5);
  });

  it('names every field a dashboard and a panel of dashboards/ take, and only those', () => {
    // "A dashboard takes `title` … ; a panel `title`, …." (Command line, after the generated files).
    const sentence = /\nA dashboard takes ([^;]*); a panel ([^.]*)\./.exec(README);
    if (!sentence) throw new Error('README has no "A dashboard takes …; a panel …." sentence');
    const fields = (text: string) => backticked(text).flatMap((f) => f.split('/')).filter((f) => /^[a-z]+$/.test(f)).sort();
    // The schema is the reference: zod's own shapes (a default around the list, a list around the item).
    const dashboard = (dashboardsFileSchema.shape.dashboards.unwrap() as unknown as { element: { shape: Record<string, { element?: { shape: object } }> } }).element;
    expect(fields(sentence[1]!)).toEqual(Object.keys(dashboard.shape).sort());
    expect(fields(sentence[2]!)).toEqual(Object.keys(dashboard.shape.panels!.element!.shape).sort());
  });

  it('gives the PostgreSQL URL the tests use without TEST_DATABASE_URL (database, user)', () => {
    // A new machine's PostgreSQL needs that database and user, or the store tests skip.
    expect(README.slice(README.indexOf('### Tests'))).toContain(`\`${DEFAULT_TEST_POSTGRES_URL}\``);
  });

  it('keeps what docs/CONTRACT.md states: its variables with their defaults, its endpoints with their auth', () => {
    const contract = readFileSync(new URL('../docs/CONTRACT.md', import.meta.url), 'utf8');
    const readme = new Map(tableAfter('### Environment').map(([names, stated]) => [names!, stated!]));
    const wrong: string[] = [];
    for (const [names, stated] of tableAfter('## Environment', contract, 'docs/CONTRACT.md')) {
      // README may say more after the contract's default ("unset: admin writes refused (403)").
      if (!readme.get(names!)?.startsWith(stated!)) wrong.push(`${names}: contract "${stated}", README "${readme.get(names!) ?? 'no such row'}"`);
    }
    const endpoints = (rows: string[][]) => new Map(rows.flatMap(([cell, auth]) => [...cell!.matchAll(/`(GET|POST|PUT|PATCH|DELETE) ([^`?\s]+)/g)].map((m) => [`${m[1]} ${m[2]}`, auth!])));
    const listed = endpoints(tableAfter('## HTTP API'));
    // The contract writes "—" for no auth and "admin (GET: none)" for a row of both kinds.
    for (const [endpoint, auth] of endpoints(tableAfter('## HTTP', contract, 'docs/CONTRACT.md'))) {
      const expected = auth === '—' || (auth.includes('(GET: none)') && endpoint.startsWith('GET ')) ? '' : auth.replace(/ \(GET: none\)/, '');
      if (!listed.has(endpoint)) wrong.push(`${endpoint}: in the contract, not in README`);
      else if (listed.get(endpoint) !== expected) wrong.push(`${endpoint}: contract auth "${auth}", README "${listed.get(endpoint)}"`);
    }
    expect(wrong).toEqual([]);
  });

  it('lists in the HTTP API table exactly the endpoints /openapi.json describes', () => {
    const listed = tableAfter('## HTTP API').flatMap((row) => [...row[0]!.matchAll(/`(GET|POST|PUT|PATCH|DELETE) ([^`?\s]+)/g)].map((m) => `${m[1]} ${m[2]}`));
    const described = Object.entries(openApiDocument.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((method) => `${method.toUpperCase()} ${path}`));
    expect([...listed].sort()).toEqual([...described, 'GET /openapi.json'].sort());
  });

  it('lists in the Command line tables exactly the flags each command takes', async () => {
    const documented = new Map<string, Set<string>>();
    for (const [usage] of tableAfter('## Command line')) {
      const [command, ...rest] = backticked(usage!)[0]!.split(' ');
      documented.set(command!, new Set(rest.join(' ').match(/--[a-z][a-z-]*/g) ?? []));
    }
    // `generate`'s options have a table of their own.
    for (const [flag] of tableAfter('`generate` options (flags win over environment variables):')) {
      for (const f of flag!.match(/--[a-z][a-z-]*/g) ?? []) documented.get('generate')!.add(f);
    }
    const wrong: string[] = [];
    for (const [command, flags] of documented) {
      const help: string[] = [];
      await main([command, '--help'], { stdout: (t) => help.push(t), stderr: (t) => help.push(t), env: {}, cwd: '/' });
      const inHelp = new Set(help.join('\n').match(/--[a-z][a-z-]*/g)?.filter((f) => f !== '--help') ?? []);
      for (const f of inHelp) if (!flags.has(f)) wrong.push(`${command} ${f}: in its --help, not in README`);
      for (const f of flags) {
        if (!inHelp.has(f)) wrong.push(`${command} ${f}: in README, not in its --help`);
        // The parser must take it too (a config dir that does not exist stops every command early).
        const err: string[] = [];
        await main([command, f, 'v', '--config', '/nonexistent-alertgate-config'], { stdout: () => {}, stderr: (t) => err.push(t), env: {}, cwd: '/' });
        if (err.join('\n').includes(`unexpected argument "${f}"`)) wrong.push(`${command} ${f}: refused as an unexpected argument`);
      }
    }
    expect(wrong).toEqual([]);
    expect([...documented.keys()].sort()).toEqual(['generate', 'route-test', 'serve', 'uptime', 'validate']);
  });

  it('gives an endpoint shown with its query (`GET /v1/alerts?team=&…`) every parameter /openapi.json declares', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const [endpoints] of tableAfter('## HTTP API')) {
      for (const [, method, path, query] of endpoints!.matchAll(/`(GET|POST|PUT|PATCH|DELETE) ([^`?\s]+)\?([^`…]+)`/g)) {
        const op = (openApiDocument.paths as Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>)[path!]?.[method!.toLowerCase()];
        const declared = (op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name).sort();
        const shown = [...query!.matchAll(/([a-z]+)=/g)].map((m) => m[1]!).sort();
        if (shown.join() !== declared.join()) wrong.push(`${method} ${path}: README ?${shown.join('&')}, openapi ${declared.join(', ')}`);
        checked += 1;
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(2);
  });

  it('gives each endpoint in the HTTP API table the auth /openapi.json declares', () => {
    const scheme: Record<string, string> = { 'webhook token': 'webhookToken', admin: 'adminToken', '': '' };
    const wrong: string[] = [];
    for (const [endpoints, auth] of tableAfter('## HTTP API')) {
      for (const [, method, path] of endpoints!.matchAll(/`(GET|POST|PUT|PATCH|DELETE) ([^`?\s]+)/g)) {
        if (path === '/openapi.json') continue; // not described by itself
        const op = (openApiDocument.paths as Record<string, Record<string, { security?: Record<string, unknown>[] }>>)[path!]?.[method!.toLowerCase()];
        const declared = Object.keys(op?.security?.[0] ?? {}).join(',');
        if (!(auth! in scheme)) wrong.push(`${method} ${path}: README auth "${auth}" is none of ${Object.keys(scheme).join(', ')}`);
        else if (scheme[auth!] !== declared) wrong.push(`${method} ${path}: README "${auth}", openapi "${declared}"`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('shows what the alertgate commands of its console examples print (stdout, shipped estate)', async () => {
    const root = fileURLToPath(new URL('../', import.meta.url));
    const blocks = [...README.matchAll(/^```console\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
    let ran = 0;
    for (const block of blocks) {
      // `$ npx alertgate …` and the lines up to the next `$` are one command and its output.
      for (const [, command, shown] of block.matchAll(/^\$ npx alertgate (.+)\n((?:(?!\$ ).*\n)*)/gm)) {
        const argv = [...command!.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
        const out: string[] = [];
        const code = await main(argv, { stdout: (t) => out.push(t), stderr: () => {}, env: {}, cwd: root });
        expect({ command, code }).toEqual({ command, code: 0 });
        const lines = (text: string) => text.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
        expect({ command, output: lines(out.join('\n')) }).toEqual({ command, output: lines(shown!) });
        ran += 1;
      }
    }
    expect(ran).toBeGreaterThan(0);
  });
});

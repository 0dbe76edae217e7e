/**
 * The operator documentation says what the code does: README tables render whole, and its
 * metrics list names exactly the metrics /metrics serves, by the names a query needs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics/metrics.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The Operations "Metrics" bullet (up to the next bullet). */
function metricsBullet(): string {
  const start = README.indexOf('- **Metrics**');
  const end = README.indexOf('\n- **', start + 1);
  if (start === -1 || end === -1) throw new Error('README has no "- **Metrics**" bullet in Operations');
  return README.slice(start, end);
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
});

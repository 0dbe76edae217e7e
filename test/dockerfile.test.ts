/**
 * @module test/dockerfile.test
 * Static checks of the Dockerfile (no Docker engine is needed): the properties an operator
 * relies on — non-root, health check, data volume, production-only dependencies — and that
 * every file the image copies exists and is not hidden by .dockerignore, so `docker build`
 * cannot fail on a missing path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string | undefined;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages of instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === 'FROM') {
      stages.push({ name: /\bAS\s+(\S+)/i.exec(args)?.[1], instructions: [] });
    }
    stages.at(-1)?.instructions.push(instruction);
  }
  return stages;
}

const stages = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const final = stages.at(-1) as Stage;
const finalOf = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword);
const stageNamed = (name: string) => stages.find((s) => s.name === name);
const copySources = (i: Instruction) => i.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1);

describe('Dockerfile', () => {
  test('is multi-stage: the runtime stage builds nothing from src/', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const copiedFromContext = finalOf('COPY').filter((i) => !i.args.includes('--from=')).flatMap(copySources);
    expect(copiedFromContext).not.toContain('src');
    expect(final.instructions.some((i) => i.keyword === 'RUN' && /\bnpm (ci|install|i)\b/.test(i.args))).toBe(false);
  });

  test('runtime node_modules come from a stage that dropped dev dependencies', () => {
    const copy = finalOf('COPY').find((i) => copySources(i).some((s) => s.endsWith('node_modules')));
    const from = /--from=(\S+)/.exec(copy?.args ?? '')?.[1];
    const source = from === undefined ? undefined : stageNamed(from);
    expect(source, 'node_modules must be copied from a named build stage').toBeDefined();
    const runs = (source?.instructions ?? []).filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /npm (prune|ci)\b.*--omit=dev/.test(r))).toBe(true);
  });

  test('runs as a non-root user, given by number, with the store on a volume it owns', () => {
    const user = finalOf('USER').at(-1)?.args ?? '';
    // Numeric, or the kubelet cannot check runAsNonRoot unless the pod also sets runAsUser.
    expect(user).toMatch(/^[1-9]\d*:\d+$/);
    expect(finalOf('VOLUME').map((i) => i.args)).toContain('/app/data');
    expect(finalOf('RUN').some((i) => new RegExp(`chown\\s+${user}\\s+/app/data\\b`).test(i.args))).toBe(true);
    const env = finalOf('ENV').map((i) => i.args).join(' ');
    expect(env).toContain('DATABASE_URL=sqlite:/app/data/alertgate.db');
    expect(env).toContain('NODE_ENV=production');
  });

  test('caps the V8 heap so the process stays near 200 MB RSS (the memory benchmark runs with the same flag)', () => {
    const env = finalOf('ENV').map((i) => i.args).join(' ');
    expect(env).toMatch(/NODE_OPTIONS=--max-old-space-size=128\b/);
  });

  test('caps glibc malloc arenas (memory freed by other threads would otherwise stay resident)', () => {
    const env = finalOf('ENV').map((i) => i.args).join(' ');
    expect(env).toMatch(/\bMALLOC_ARENA_MAX=2\b/);
  });

  test('health check probes /healthz with node on PORT, and the entrypoint is the CLI', () => {
    const [healthcheck] = finalOf('HEALTHCHECK');
    expect(healthcheck?.args).toMatch(/CMD \["node"/);
    expect(healthcheck?.args).toContain('/healthz');
    expect(healthcheck?.args).toContain('process.env.PORT');
    expect(finalOf('EXPOSE').map((i) => i.args)).toContain('8080');
    expect(finalOf('ENTRYPOINT').map((i) => i.args)).toEqual(['["node", "bin/alertgate.js"]']);
    expect(finalOf('CMD').map((i) => i.args)).toEqual(['["serve"]']);
  });

  test('every path copied from the build context exists and is not excluded by .dockerignore', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'data', '.git']));
    const fromContext = stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='))
      .flatMap(copySources);
    for (const path of fromContext) {
      expect(existsSync(join(root, path)), `${path} is missing from the repository`).toBe(true);
      expect(ignored, `${path} is excluded by .dockerignore`).not.toContain(path);
    }
  });
});

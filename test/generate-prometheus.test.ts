/**
 * Acceptance: a real Prometheus (the Debian `prometheus` binary) loads every generated rule file
 * and evaluates each rule without error: GET /api/v1/rules lists them all with health "ok".
 * Spawned on 127.0.0.1 with a free port and a temp TSDB; killed at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generateOutputs } from '../src/generate/outputs.js';
import type { RuleGroup } from '../src/generate/rule-types.js';
import { requireBinary } from '../src/testing/binaries.js';
import { freeTcpPort } from '../src/testing/free-port.js';
import { copyOfShippedConfig, loadSpecsOrThrow, makeConfigDir, removeTempDirs, ruleFileFromPrometheusRule } from './generate-helpers.js';

const prometheus = requireBinary('prometheus');

interface RunningPrometheus {
  child: ChildProcess;
  url: string;
  log: string[];
}

/** Resolves once Prometheus logs that it is ready; rejects if it exits first or takes over 20 s. */
async function startPrometheus(configFile: string, dataDir: string): Promise<RunningPrometheus> {
  const port = await freeTcpPort();
  const child = spawn(
    prometheus!,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=info'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const log: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      log.push(chunk);
      if (chunk.includes('Server is ready to receive web requests')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`prometheus exited with ${code} before it was ready:\n${log.join('')}`)));
  });
  const timeout = new AbortController();
  const timer = delay(20_000, undefined, { signal: timeout.signal }).then(
    () => Promise.reject(new Error(`prometheus not ready after 20s:\n${log.join('')}`)),
    () => undefined, // aborted: ready came first
  );
  try {
    await Promise.race([ready, timer]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    timeout.abort();
  }
  return { child, url: `http://127.0.0.1:${port}`, log };
}

interface ApiRule {
  name: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
}
interface ApiGroup {
  name: string;
  file: string;
  rules: ApiRule[];
}

describe.skipIf(!prometheus)('generated rules on a real Prometheus', () => {
  let prom: RunningPrometheus | undefined;
  let expected: RuleGroup[] = [];

  beforeAll(async () => {
    const outputs = generateOutputs(await loadSpecsOrThrow(await copyOfShippedConfig()));
    const dir = await makeConfigDir({});
    const ruleFiles: string[] = [];
    for (const [file, text] of outputs) {
      if (!file.endsWith('-prometheus-rule.yaml')) continue;
      expected.push(...(parse(text) as { spec: { groups: RuleGroup[] } }).spec.groups);
      const f = path.join(dir, file.replace('-prometheus-rule.yaml', '.rules.yaml'));
      await writeFile(f, ruleFileFromPrometheusRule(text));
      ruleFiles.push(f);
    }
    const configFile = path.join(dir, 'prometheus.yml');
    // Evaluate every second so the first evaluation (which sets health) happens right away.
    await writeFile(configFile, stringify({ global: { evaluation_interval: '1s' }, rule_files: ruleFiles }));
    prom = await startPrometheus(configFile, path.join(dir, 'data'));
  });

  afterAll(async () => {
    if (prom && prom.child.exitCode === null) {
      const exited = once(prom.child, 'exit');
      prom.child.kill('SIGTERM');
      await exited;
    }
    await removeTempDirs(); // after the kill: the TSDB lives in one of them
  });

  it('is ready', async () => {
    const res = await fetch(`${prom!.url}/-/ready`);
    expect(res.status).toBe(200);
  });

  it('lists every generated group and rule with health ok', async () => {
    const want = expected.flatMap((g) => g.rules.map((r) => `${g.name}/${'alert' in r ? r.alert : r.record}`)).sort();
    let groups: ApiGroup[] = [];
    // Health is "unknown" until a group's first evaluation; poll (bounded) until all are evaluated.
    for (let attempt = 0; attempt < 100; attempt++) {
      const body = (await (await fetch(`${prom!.url}/api/v1/rules`)).json()) as { status: string; data: { groups: ApiGroup[] } };
      expect(body.status).toBe('success');
      groups = body.data.groups;
      if (groups.every((g) => g.rules.every((r) => r.health !== 'unknown'))) break;
      await delay(100);
    }
    const got = groups.flatMap((g) => g.rules.map((r) => `${g.name}/${r.name}`)).sort();
    expect(got).toEqual(want);
    const unhealthy = groups.flatMap((g) => g.rules.filter((r) => r.health !== 'ok').map((r) => `${g.name}/${r.name}: ${r.health} ${r.lastError ?? ''}`));
    expect(unhealthy).toEqual([]);
    expect(groups.flatMap((g) => g.rules).filter((r) => r.type === 'alerting').length).toBeGreaterThan(10);
  });
});

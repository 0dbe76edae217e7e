/**
 * A real `prometheus` (Debian package) serving TSDB blocks a test built, on a free 127.0.0.1
 * port. No scraping: an empty config (unless the caller gives its own: rules, scrape targets),
 * retention long enough that old blocks are never deleted. A start that meets a port taken
 * between choosing it and binding it is tried again on another port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from '../../src/testing/free-port.js';
import { buildTsdb, type GeneratedSeries } from './prometheus-tsdb.js';

export interface PrometheusProcess {
  url: string;
  logs(): string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/**
 * Starts prometheus on `dataDir` (which holds the blocks) with `configText` written to
 * `dir`/prometheus.yml, and resolves once `/-/ready` is 200.
 */
export async function startPrometheus(
  binary: string,
  dir: string,
  dataDir: string,
  readyTimeoutMs = 60_000,
  configText = 'global:\n  scrape_interval: 1m\n',
): Promise<PrometheusProcess> {
  await mkdir(dir, { recursive: true });
  const config = join(dir, 'prometheus.yml');
  await writeFile(config, configText);
  for (let attempt = 1; ; attempt++) {
    const port = await freeTcpPort();
    const output: string[] = [];
    const child = spawn(
      binary,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${dataDir}`,
        '--storage.tsdb.retention.time=10y',
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    live.add(child);
    child.stdout.setEncoding('utf8').on('data', (c: string) => output.push(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => output.push(c));
    let exited = false;
    // 'close', not 'exit': it comes once stdout and stderr are drained, so the output a failed
    // start is judged by (a port clash to retry) is all there.
    const exit = new Promise<void>((resolve) => {
      child.once('close', () => {
        exited = true;
        live.delete(child);
        resolve();
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const stop = async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exit;
        clearTimeout(t);
      }
    };
    const deadline = Date.now() + readyTimeoutMs;
    let ready = false;
    while (!exited && Date.now() < deadline) {
      try {
        const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
        if (r.status === 200) {
          ready = true;
          break;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (ready) return { url, logs: () => output.join(''), stop };
    await stop();
    const text = output.join('');
    if (attempt < 3 && /address already in use/i.test(text)) continue;
    throw new Error(`prometheus did not become ready:\n${text}`);
  }
}

/** A Prometheus serving `series` from blocks built in a temporary directory of its own. */
export interface ServedSeries {
  prometheus: PrometheusProcess;
  /** The temporary directory (blocks under `data/`); `stop` removes it. */
  dir: string;
  stop(): Promise<void>;
}

/** Build TSDB blocks of `series` in a new temporary directory and serve them; nothing is left behind on failure. */
export async function serveSeries(bins: { promtool: string; prometheus: string }, prefix: string, series: Iterable<GeneratedSeries>): Promise<ServedSeries> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    const dataDir = join(dir, 'data');
    await buildTsdb(bins.promtool, dir, dataDir, series);
    const prometheus = await startPrometheus(bins.prometheus, dir, dataDir);
    return {
      prometheus,
      dir,
      async stop() {
        await prometheus.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

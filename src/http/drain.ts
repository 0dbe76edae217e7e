/**
 * @module http/drain
 * Stop an HTTP server within a deadline. `server.close()` alone waits for every request in
 * flight, however long: a /v1/uptime against a hanging Thanos held SIGTERM for the whole Thanos
 * timeout, past SHUTDOWN_GRACE_MS and so past Kubernetes' SIGKILL.
 */
import type { Server } from 'node:http';

export interface DrainOptions {
  /** Longest wait for requests in flight to finish on their own. */
  graceMs: number;
  /**
   * Called once the grace period is over with requests still in flight: ends their work so they
   * can answer (uptime queries fail as 503) in the moment left before their connections are cut.
   */
  onOverdue?: () => void;
}

/** After onOverdue, how long answers may take to be written before connections are closed. */
const LAST_WORDS_MS = 200;

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** Resolves `true` when every request finished within the grace period, `false` when some were cut. */
export async function drainServer(server: Server, o: DrainOptions): Promise<boolean> {
  // Keep-alive clients (Alertmanager reuses its connections) would hold close() open until
  // their idle timeout: close each connection as soon as it has no request in flight.
  const closeIdle = () => server.closeIdleConnections();
  const idleSweep = setInterval(closeIdle, 100);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  closeIdle();
  try {
    const inTime = await Promise.race([closed.then(() => true), sleep(o.graceMs).then(() => false)]);
    if (inTime) return true;
    o.onOverdue?.();
    await Promise.race([closed, sleep(LAST_WORDS_MS)]);
    server.closeAllConnections();
    await closed;
    return false;
  } finally {
    clearInterval(idleSweep);
  }
}

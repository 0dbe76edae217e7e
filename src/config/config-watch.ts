/**
 * @module config/config-watch
 * Applies a change of the config files on disk without a signal (CONFIG_RELOAD_INTERVAL). In
 * Kubernetes the files are a mounted ConfigMap the kubelet swaps a minute or two after a merge;
 * before this every pod kept routing by the old config until someone sent each one SIGHUP
 * (`POST /-/reload` through the Service reaches one pod), so teams' changes silently did not
 * apply and replicas disagreed.
 *
 * Polled, not fs.watch: a watch misses the `..data` symlink swap and does not work on some volume
 * types. Each poll takes the files' fingerprint (config/config-fingerprint.ts; nothing is read)
 * and, when it differs from what the latest load found, runs the reload SIGHUP runs, which never
 * overlaps another. A refused config is not read again at every poll: only once its files change.
 * One that could not be read (an I/O error while the files look the same: EIO, EMFILE) is read
 * again at the next poll; before, the watch waited for a file change that might never come. Its
 * failure is logged once while it fails alike, not at every poll (config/config-holder.ts).
 */
import type { Logger } from '../log/logger.js';
import { startTicker, type Ticker } from '../pipeline/ticker.js';
import type { LastRead } from './config-holder.js';
import { configFingerprint, fingerprintChanges, sameFingerprint } from './config-fingerprint.js';

export interface ConfigWatchOptions {
  dir: string;
  /** CONFIG_RELOAD_INTERVAL (1 s at least, config/env.ts); 0: no watch. */
  intervalMs: number;
  /** The files as the latest load found them and whether it applied them (config-holder.ts). */
  lastRead: () => LastRead | undefined;
  /** The reload SIGHUP and `POST /-/reload` run (server.ts). */
  reload: () => Promise<unknown>;
  logger: Logger;
}

/** Undefined when the interval is 0. Stopped at shutdown; does not keep the process alive. */
export function startConfigWatch(o: ConfigWatchOptions): Ticker | undefined {
  if (o.intervalMs === 0) return undefined;
  const pass = async (signal: AbortSignal): Promise<void> => {
    const files = await configFingerprint(o.dir);
    const last = o.lastRead();
    // No load yet, or one still reading (it reads the files as they are now, or a later look sees them changed).
    if (signal.aborted || !last || last.applied === undefined) return;
    if (sameFingerprint(last.files, files)) {
      if (last.applied) return;
      if (!last.unreadable) return o.logger.debug({}, 'config on disk unchanged since it was refused; not reloading');
      // Debug: at every poll while it stays unreadable (its failure is logged once, config-holder.ts).
      o.logger.debug({}, 'config could not be read at the last load; reading it again');
      await o.reload();
      return;
    }
    o.logger.info({ ...fingerprintChanges(last.files, files) }, 'config changed on disk; reloading');
    await o.reload();
  };
  return startTicker(pass, o.intervalMs, o.logger, 'config watch');
}

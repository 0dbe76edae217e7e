/**
 * @module cli/serve-signals
 * How `alertgate serve` answers SIGTERM, SIGINT and SIGHUP at every stage of its life, not only
 * while it serves. A signal Node has no handler for ends the process at once (or, as PID 1 in a
 * container, is ignored), so before this:
 * - SIGHUP (the documented reload, sent to every pod) reaching a replica that was shutting down
 *   killed it mid-drain: no lease handed back, no store closed, no "shutdown complete";
 * - SIGHUP reaching a replica still starting (waiting minutes for another replica's migration)
 *   killed the start, and one that was ignored lost the reload;
 * - SIGTERM while starting was ignored as PID 1 (the pod lingered until SIGKILL);
 * - a second SIGTERM or SIGINT during the drain killed the process at once.
 *
 * Now: while starting, SIGTERM/SIGINT exits at once (nothing is served yet; a migration step in
 * progress is rolled back and applied again at the next start) and SIGHUP reloads once
 * listening (the files may have changed after they were read); while running, SIGHUP reloads
 * and SIGTERM/SIGINT shuts down; while shutting down, both are logged and ignored (SIGKILL
 * still stops at once).
 */
import type { Logger } from '../log/logger.js';

export interface ServeSignals {
  /**
   * The gateway listens: SIGHUP reloads with `reload` from now on (at once, if one came while
   * starting). Resolves with the first SIGTERM or SIGINT; later ones are ignored.
   */
  untilStop(reload: () => Promise<unknown>): Promise<NodeJS.Signals>;
  /** Removes the handlers (the gateway is closed, or never started). */
  dispose(): void;
}

type Stage = 'starting' | 'running' | 'stopping';

export function handleServeSignals(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): ServeSignals {
  let stage: Stage = 'starting';
  let reloadWhenStarted = false;
  let reload: (() => Promise<unknown>) | undefined;
  let stop: ((signal: NodeJS.Signals) => void) | undefined;

  const onStop = (signal: NodeJS.Signals): void => {
    if (stage === 'starting') {
      logger.info({ signal }, `${signal} while starting: exiting before serving anything (a schema migration step in progress is rolled back and applied again at the next start)`);
      exit(0);
    } else if (stage === 'running') {
      stage = 'stopping';
      stop?.(signal);
    } else {
      logger.info({ signal }, `${signal} ignored: already shutting down (SIGKILL stops at once)`);
    }
  };
  const onHup = (): void => {
    if (stage === 'starting') {
      reloadWhenStarted = true;
      logger.info({ signal: 'SIGHUP' }, 'SIGHUP while starting: the configuration is read again once alertgate listens');
    } else if (stage === 'running') {
      void reload?.();
    } else {
      logger.info({ signal: 'SIGHUP' }, 'SIGHUP ignored: shutting down');
    }
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', onHup);

  return {
    untilStop(r) {
      reload = r;
      stage = 'running';
      if (reloadWhenStarted) void r();
      return new Promise((resolve) => (stop = resolve));
    },
    dispose() {
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
      process.off('SIGHUP', onHup);
    },
  };
}

/**
 * @module config/config-holder
 * The live routing configuration. A reload that fails validation keeps the previous config
 * (and says so in `alertgate_config_last_reload_successful`), so a bad merge never stops paging.
 *
 * Reloads never overlap (SIGHUP, `POST /-/reload` and a sidecar may all ask at once): two that
 * read the files at once could finish in either order, and the one that read the older files
 * could be applied last. A reload asked for while one runs waits for it and then reads the files
 * afresh, once for every call made meanwhile, so the config applied last is read after the last
 * call.
 *
 * Each load first notes how the config files look on disk (config/config-fingerprint.ts) and
 * whether what it read was applied: the config watch (config/config-watch.ts) compares the files
 * with that, so a change is applied once, whatever reload read it, and a refused config is not
 * read again until its files change; one that could not be read (an I/O error: EIO, EMFILE…) is,
 * at the next poll, since the same files may read fine then.
 *
 * A failed load is logged (`invalid configuration`) once for as long as it fails alike: the watch
 * reads a config that could not be read again at every poll, and logged its errors every time
 * (every 30 s, for as long as a file stayed unreadable). It is logged again when its errors or
 * the files change, at every reload asked for by hand (SIGHUP, `POST /-/reload`), and the load
 * that succeeds after it says so (`recovered`). Every load is still counted (server.ts).
 *
 * It also remembers, for the process's life, where the PagerDuty routing key came from
 * (`routingKeyEnv` / `routingKeyFile`, never the key) of every team whose `pagerduty:` a reload
 * removed (the team's file deleted, or only its block): the resolves of that team's open incidents
 * are still to be sent, and without it they went dead and the incidents stayed open, escalating.
 */
type ReloadResult = { ok: boolean; errors: string[] };

import type { Logger } from '../log/logger.js';
import { showFailureSeries } from '../metrics/failure-series.js';
import type { Metrics } from '../metrics/metrics.js';
import { configFingerprint, sameFingerprint, type ConfigFingerprint } from './config-fingerprint.js';
import { loadRoutingConfig } from './load-routes.js';
import { formatSourceError } from './source-error.js';
import type { PagerDutyConfig, RoutingConfig } from './types.js';

/**
 * How the latest load found the files. `unreadable`: it was refused because they could not be read
 * (or it threw), not for what they say, so the watch reads them again though they look the same.
 */
export interface LastRead {
  files: ConfigFingerprint;
  /** Undefined while the load runs. */
  applied?: boolean;
  unreadable?: boolean;
}

/** The failing loads since the last that succeeded, and what the log last said of them. */
interface Failing {
  since: Date;
  loads: number;
  errors: string[];
  files: ConfigFingerprint;
}

const sameErrors = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((e, i) => e === b[i]);

export class ConfigHolder {
  private config?: RoutingConfig;
  private running?: Promise<ReloadResult>;
  /** The reload that follows the running one, shared by every call made while it runs. */
  private next?: Promise<ReloadResult>;
  /** Key sources of teams whose `pagerduty:` left the config (see the module doc). */
  private readonly retired = new Map<string, PagerDutyConfig>();
  /** The files as the latest load found them before reading them, and whether it applied them (undefined while it runs). */
  private read?: LastRead;
  private failing?: Failing;
  /** A call since the latest load began wants a failure logged even if logged already (see reload). */
  private logRepeatAsked = false;

  constructor(
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
  ) {}

  current(): RoutingConfig | undefined {
    return this.config;
  }

  /**
   * Where a team's PagerDuty key came from before a reload took its `pagerduty:` away, if one did
   * in this process's life (and the live config has none for it): for its resolves only.
   */
  retiredPagerDuty(team: string): PagerDutyConfig | undefined {
    return this.retired.get(team);
  }

  /** Every remembered source, by team (for the delivery thread and the log scrub list). */
  retiredPagerDutySources(): [team: string, source: PagerDutyConfig][] {
    return [...this.retired];
  }

  private rememberRetired(before: RoutingConfig | undefined, after: RoutingConfig): void {
    for (const team of after.teams.values()) if (team.pagerduty) this.retired.delete(team.team);
    for (const team of before?.teams.values() ?? []) {
      if (!team.pagerduty || after.teams.get(team.team)?.pagerduty) continue;
      this.retired.set(team.team, { ...team.pagerduty });
      this.logger.info(
        { team: team.team, ...team.pagerduty },
        "team's PagerDuty config removed: the resolves of its open incidents are still sent, with the routing key from the source it named, until this process ends",
      );
    }
  }

  /** The config files as the latest load (started by anything) found them, and whether it applied them (undefined: still loading). */
  lastRead(): LastRead | undefined {
    return this.read;
  }

  /**
   * `quietRepeat`: a failure already logged, with the same errors over the same files, is logged at
   * debug only (the config watch's polls). A load shared with a call without it logs it.
   */
  reload(o: { quietRepeat?: boolean } = {}): Promise<ReloadResult> {
    if (!o.quietRepeat) this.logRepeatAsked = true;
    if (this.running) {
      const after = () => {
        this.next = undefined;
        return this.reload();
      };
      return (this.next ??= this.running.then(after, after));
    }
    this.running = this.load().finally(() => (this.running = undefined));
    return this.running;
  }

  private async load(): Promise<ReloadResult> {
    const logRepeat = this.logRepeatAsked;
    this.logRepeatAsked = false;
    // Before reading: a file changed while it is read is seen as changed at the next look.
    const read: LastRead = { files: await configFingerprint(this.dir) };
    this.read = read;
    // A ConfigMap mount: its removed files dangle while the kubelet swaps `..data`.
    const result = await loadRoutingConfig(this.dir, this.env, { nonFileEntries: 'warning' }).catch((err: unknown) => {
      Object.assign(read, { applied: false, unreadable: true });
      throw err;
    });
    read.applied = !!result.config && result.errors.length === 0;
    if (result.unreadable) read.unreadable = true;
    for (const w of result.warnings) this.logger.warn({ warning: formatSourceError(w) }, 'config warning');
    if (!result.config || result.errors.length > 0) {
      const errors = result.errors.map(formatSourceError);
      this.metrics?.configReloadSuccessful.set(0);
      this.logFailure(errors, read.files, logRepeat);
      return { ok: false, errors };
    }
    const recovered = this.failing && { failedLoads: this.failing.loads, since: this.failing.since.toISOString() };
    this.failing = undefined;
    this.rememberRetired(this.config, result.config);
    this.config = result.config;
    this.metrics?.configReloadSuccessful.set(1);
    // Failure counters at 0 from the start, so increase() sees a team's first failure (failure-series.ts).
    if (this.metrics) showFailureSeries(this.metrics, result.config);
    this.metrics?.configReloadTimestamp.set(Date.now() / 1000);
    this.logger.info({ teams: [...result.config.teams.keys()], fallbackTeam: result.config.fallbackTeam, ...(recovered && { recovered }) }, 'configuration loaded');
    return { ok: true, errors: [] };
  }

  private logFailure(errors: string[], files: ConfigFingerprint, logRepeat: boolean): void {
    const f = this.failing;
    const repeat = f !== undefined && sameErrors(f.errors, errors) && sameFingerprint(f.files, files);
    this.failing = { since: f?.since ?? new Date(), loads: (f?.loads ?? 0) + 1, errors, files };
    if (repeat && !logRepeat) return this.logger.debug({ failedLoads: this.failing.loads }, 'configuration still invalid as last logged; not logging it again');
    this.logger.error({ errors, keptPrevious: this.config !== undefined }, 'invalid configuration');
  }
}

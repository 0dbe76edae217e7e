/**
 * @module log/scrub-list
 * The secrets the gateway's logger blanks (createLogger's `secrets`): the ones known at start,
 * the config's routing keys (replaced at each reload), and the ones reported later (a token read
 * again after a rotation, a routing key sent with). The logger checks every line against each
 * entry, so none is listed twice: a delivery thread reports every key it sends with, and a thread
 * that replaces a dead one reports them all again.
 */
export class ScrubList {
  private readonly fixed: readonly string[];
  /** Reported after start; kept until the process ends (a reload may drop the key, not the logs' need). */
  private readonly reported = new Set<string>();
  private routingKeys: readonly string[] = [];
  private all: readonly string[] = [];

  constructor(fixed: readonly (string | undefined)[]) {
    this.fixed = fixed.filter((s): s is string => !!s);
    this.rebuild();
  }

  /** For createLogger: the current list. */
  readonly secrets = (): readonly string[] => this.all;

  /** A secret read or sent with after start; one already reported is ignored. */
  add(secret: string): void {
    if (!secret || this.reported.has(secret)) return;
    this.reported.add(secret);
    this.rebuild();
  }

  /** The routing keys that resolve in the config now loaded. */
  setRoutingKeys(keys: readonly string[]): void {
    this.routingKeys = keys;
    this.rebuild();
  }

  private rebuild(): void {
    this.all = [...new Set([...this.fixed, ...this.reported, ...this.routingKeys].filter((s) => !!s))];
  }
}

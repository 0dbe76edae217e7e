/**
 * @module maintenance/held-groups
 * The groups a team's maintenance windows hold, as versions before listed them in the team's
 * state: one string `,id,id,…,` (before that, a JSON array). Holds are now kept on the groups'
 * own rows (`GroupRecord.heldUntil`), because the list grew with a flood and every new hold
 * rewrote it (docs/performance.md, "twelfth session"); this reads such a list so that its
 * holds are moved to the rows (release.ts) and none is lost in an upgrade.
 */

export class HeldGroups {
  /** '' when empty, else every id with a comma before and after it. */
  private constructor(private text: string) {}

  static of(ids: readonly string[]): HeldGroups {
    const held = new HeldGroups('');
    for (const id of ids) held.add(id);
    return held;
  }

  /** As stored: the string, or (written by the version before) an array of ids. */
  static stored(value: unknown): HeldGroups {
    if (typeof value === 'string') return new HeldGroups(value);
    return HeldGroups.of(Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  }

  get empty(): boolean {
    return this.text === '';
  }

  has(id: string): boolean {
    return this.text.includes(`,${id},`);
  }

  add(id: string): void {
    // Group ids are hex digests: a comma would end the record early.
    if (id.includes(',')) throw new Error(`a held group id cannot contain a comma: ${id}`);
    if (!this.has(id)) this.text = `${this.text || ','}${id},`;
  }

  delete(id: string): void {
    const at = this.text.indexOf(`,${id},`);
    if (at < 0) return;
    const rest = this.text.slice(0, at) + this.text.slice(at + id.length + 1);
    this.text = rest === ',' ? '' : rest;
  }

  ids(): string[] {
    return this.empty ? [] : this.text.slice(1, -1).split(',');
  }

  /** Stored as the string itself. */
  toJSON(): string {
    return this.text;
  }
}

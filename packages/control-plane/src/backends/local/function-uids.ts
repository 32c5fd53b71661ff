import { createHash } from 'node:crypto';

/** The uids (and gids, the same numbers) functions run as, like systemd's DynamicUser. */
export interface UidRange {
  readonly first: number;
  readonly last: number;
}

/**
 * Gives every function a uid of its own from the configured range (NANOFAAS_LOCAL_UID_RANGE): the
 * same number for every instance of the function, never one held by another live function, never
 * the control plane's. A function's name hashes to its first choice, so it usually gets the same uid
 * after a restart; collisions probe onwards.
 */
export class FunctionUids {
  readonly #byName = new Map<string, number>();
  readonly #taken = new Set<number>();

  constructor(
    private readonly range: UidRange,
    private readonly reserved: ReadonlySet<number> = new Set(),
  ) {}

  /** The uid of `name`, allocating one on first use; throws when the range is exhausted. */
  uidOf(name: string): number {
    const held = this.#byName.get(name);
    if (held !== undefined) return held;
    const size = this.range.last - this.range.first + 1;
    const start = createHash('sha256').update(name).digest().readUInt32BE(0) % size;
    for (let step = 0; step < size; step += 1) {
      const uid = this.range.first + ((start + step) % size);
      if (this.#taken.has(uid) || this.reserved.has(uid)) continue;
      this.#taken.add(uid);
      this.#byName.set(name, uid);
      return uid;
    }
    throw new Error(`no free uid left in ${this.range.first}-${this.range.last} (NANOFAAS_LOCAL_UID_RANGE)`);
  }

  /** Frees the uid of a removed function (its processes are gone). */
  release(name: string): void {
    const uid = this.#byName.get(name);
    if (uid === undefined) return;
    this.#byName.delete(name);
    this.#taken.delete(uid);
  }
}

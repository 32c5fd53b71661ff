import type { KubernetesObject } from '@kubernetes/client-node';
import type { CancelTimer, Clock } from '../../deps/clock.js';

export type WatchEvent = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A list of a collection and the resourceVersion it was read at. */
export interface ListedObjects<T> {
  readonly items: readonly T[];
  readonly resourceVersion: string;
}

/** What the API server's list and watch of one collection give (kube-api.ts binds them). */
export interface WatchSource<T> {
  list(): Promise<ListedObjects<T>>;
  /**
   * Streams the changes after `resourceVersion` (with bookmarks) until the stream ends; `onEnd`
   * is called once, with the error if it failed. Resolves the function that aborts the stream.
   */
  watch(
    resourceVersion: string,
    onEvent: (type: string, object: unknown) => void,
    onEnd: (error?: unknown) => void,
  ): Promise<() => void>;
}

export interface ObjectWatchOptions<T> {
  readonly source: WatchSource<T>;
  readonly clock: Clock;
  readonly onEvent: (type: WatchEvent, object: T) => void;
  /** A list or watch failed (it is retried after `retryDelayMs`). */
  readonly onError: (error: unknown) => void;
  /** Default 1000. */
  readonly retryDelayMs?: number;
}

/**
 * List-then-watch of one collection with the informer's guarantees (client-go's reflector): the
 * watch starts at the list's resourceVersion, so nothing between them is lost; a stream that ends
 * resumes from the last resourceVersion seen (events or bookmarks); a resourceVersion the server
 * no longer has (410 Gone) or any failure means a new list, and the difference between what was
 * known and what the list says is handed on as events — an object deleted while no watch ran
 * arrives as DELETED, one changed as MODIFIED.
 */
export class ObjectWatch<T extends KubernetesObject> {
  readonly #options: ObjectWatchOptions<T>;
  /** The objects as last seen, by name (one namespace). */
  readonly #known = new Map<string, T>();
  #resourceVersion: string | undefined;
  #abort: (() => void) | undefined;
  #retry: CancelTimer | undefined;
  #stopped = false;
  #started = false;

  constructor(options: ObjectWatchOptions<T>) {
    this.#options = options;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#relist();
  }

  stop(): void {
    this.#stopped = true;
    this.#retry?.();
    this.#abort?.();
    this.#abort = undefined;
  }

  async #relist(): Promise<void> {
    if (this.#stopped) return;
    let listed: ListedObjects<T>;
    try {
      listed = await this.#options.source.list();
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (this.#stopped) return;
    this.#replace(listed.items);
    this.#resourceVersion = listed.resourceVersion;
    await this.#watch();
  }

  /** Hands on the difference between what was known and what the list says. */
  #replace(items: readonly T[]): void {
    const listedNames = new Set<string>();
    const { onEvent } = this.#options;
    for (const object of items) {
      const name = object.metadata?.name;
      if (name === undefined) continue;
      listedNames.add(name);
      const known = this.#known.get(name);
      this.#known.set(name, object);
      if (known === undefined) onEvent('ADDED', object);
      else if (known.metadata?.uid !== object.metadata?.uid) {
        // Deleted and made again under the same name while no watch ran.
        onEvent('DELETED', known);
        onEvent('ADDED', object);
      } else if (known.metadata?.resourceVersion !== object.metadata?.resourceVersion) {
        onEvent('MODIFIED', object);
      }
    }
    for (const [name, known] of [...this.#known]) {
      if (listedNames.has(name)) continue;
      this.#known.delete(name);
      onEvent('DELETED', known);
    }
  }

  async #watch(): Promise<void> {
    if (this.#stopped || this.#resourceVersion === undefined) return;
    let ended = false;
    /** An ERROR event came: the server ends the stream after it. */
    let streamError: unknown;
    const onEnd = (error?: unknown) => {
      if (ended) return;
      ended = true;
      this.#abort = undefined;
      if (this.#stopped) return;
      const failure = streamError ?? (error === null ? undefined : error);
      // 410: the resourceVersion is too old to resume from; only a new list can catch up.
      if (isGone(failure)) void this.#relist();
      else if (failure !== undefined) this.#fail(failure);
      // A stream the server closed (its watch timeout): resume where it stopped.
      else void this.#watch();
    };
    const onEvent = (type: string, object: unknown) => {
      if (ended || this.#stopped) return;
      if (type === 'ERROR') {
        streamError = isGone(object) ? object : new Error(`watch error: ${describeStatus(object)}`);
        return;
      }
      const resourceVersion = (object as KubernetesObject | undefined)?.metadata?.resourceVersion;
      if (resourceVersion !== undefined) this.#resourceVersion = resourceVersion;
      if (type === 'BOOKMARK') return;
      if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
      const typed = object as T;
      const name = typed.metadata?.name;
      if (name === undefined) return;
      if (type === 'DELETED') this.#known.delete(name);
      else this.#known.set(name, typed);
      this.#options.onEvent(type, typed);
    };
    try {
      const abort = await this.#options.source.watch(this.#resourceVersion, onEvent, onEnd);
      if (this.#stopped || ended) abort();
      else this.#abort = abort;
    } catch (error) {
      onEnd(error ?? new Error('watch failed'));
    }
  }

  /** A failed list or watch: report it, list again after a pause (what changed meanwhile is diffed). */
  #fail(error: unknown): void {
    if (this.#stopped) return;
    this.#options.onError(error);
    this.#retry = this.#options.clock.setTimer(() => void this.#relist(), this.#options.retryDelayMs ?? 1000);
  }
}

/** 410 Gone (HTTP status of the watch request, or the Status object of an ERROR event). */
function isGone(value: unknown): boolean {
  const candidate = value as { code?: unknown; statusCode?: unknown } | null | undefined;
  return candidate?.code === 410 || candidate?.statusCode === 410;
}

function describeStatus(value: unknown): string {
  const status = value as { code?: unknown; message?: unknown } | null | undefined;
  return `${String(status?.code ?? '?')}: ${String(status?.message ?? JSON.stringify(value))}`;
}

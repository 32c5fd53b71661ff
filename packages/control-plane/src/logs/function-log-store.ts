import type { LogEntry } from '@nanofaas/contracts';
import type { FunctionLogLine, FunctionLogSink } from '../backends/function-log-sink.js';
import type { FunctionLogsConfig } from '../config/function-logs-config.js';
import type { Clock } from '../deps/clock.js';

/** Which lines a reader wants. */
export interface LogQuery {
  readonly functionName: string;
  readonly executionId?: string;
  /** Only lines received after this (epoch ms). */
  readonly sinceMs?: number;
  /** The most recent `limit` matching lines. */
  readonly limit: number;
}

export interface LogQueryResult {
  readonly items: LogEntry[];
  /** Lines of this function were evicted that may have matched. */
  readonly dropped: boolean;
}

interface StoredLine {
  readonly receivedAt: number;
  readonly bytes: number;
  readonly entry: LogEntry;
}

/** Bookkeeping per stored line besides its text, counted against the byte budget. */
const LINE_OVERHEAD_BYTES = 96;

class FunctionLogBuffer {
  readonly lines: StoredLine[] = [];
  start = 0;
  bytes = 0;
  /** receivedAt of the newest evicted line; -Infinity when none was. */
  evictedUpTo = Number.NEGATIVE_INFINITY;

  get size(): number {
    return this.lines.length - this.start;
  }

  push(line: StoredLine, maxLines: number, maxBytes: number): void {
    this.lines.push(line);
    this.bytes += line.bytes;
    while (this.size > maxLines || (this.bytes > maxBytes && this.size > 1)) {
      const evicted = this.lines[this.start]!;
      this.start++;
      this.bytes -= evicted.bytes;
      this.evictedUpTo = evicted.receivedAt;
    }
    if (this.start > 1024 && this.start * 2 > this.lines.length) {
      this.lines.splice(0, this.start);
      this.start = 0;
    }
  }
}

interface Follower {
  readonly deliver: (entry: LogEntry) => void;
  /** The function was deleted: no more lines will come. */
  readonly end: () => void;
}

/**
 * The recent log lines of every function, in memory: per function at most `maxLines` lines and
 * `maxBytes` bytes (the oldest go first), each line cut to `maxLineBytes`. Lines are untrusted
 * function output: they are stored as text and only ever leave as JSON string values.
 */
export class FunctionLogStore implements FunctionLogSink {
  readonly #config: FunctionLogsConfig;
  readonly #clock: Clock;
  readonly #buffers = new Map<string, FunctionLogBuffer>();
  readonly #followers = new Map<string, Set<Follower>>();
  #followerCount = 0;

  readonly #isRegistered: (functionName: string) => boolean;

  /**
   * `isRegistered` keeps the store to registered functions: lines a deleted function's draining
   * processes still write are dropped, so the store holds at most one buffer per function.
   */
  constructor(
    config: FunctionLogsConfig,
    clock: Clock,
    isRegistered: (functionName: string) => boolean = () => true,
  ) {
    this.#config = config;
    this.#clock = clock;
    this.#isRegistered = isRegistered;
  }

  append(line: FunctionLogLine): void {
    if (!this.#isRegistered(line.functionName)) return;
    const receivedAt = this.#clock.now();
    const { text, truncated } = cut(line.line, this.#config.maxLineBytes);
    const entry: LogEntry = {
      timestamp: new Date(receivedAt).toISOString(),
      functionName: line.functionName,
      ...(line.executionId === undefined ? {} : { executionId: line.executionId }),
      stream: line.stream,
      line: text,
      ...(truncated ? { truncated: true } : {}),
      ...(line.instance === undefined ? {} : { instance: line.instance }),
    };
    let buffer = this.#buffers.get(line.functionName);
    if (buffer === undefined) {
      buffer = new FunctionLogBuffer();
      this.#buffers.set(line.functionName, buffer);
    }
    const bytes = Buffer.byteLength(text) + LINE_OVERHEAD_BYTES;
    buffer.push({ receivedAt, bytes, entry }, this.#config.maxLines, this.#config.maxBytes);
    for (const follower of this.#followers.get(line.functionName) ?? []) follower.deliver(entry);
  }

  query(query: LogQuery): LogQueryResult {
    const buffer = this.#buffers.get(query.functionName);
    if (buffer === undefined) return { items: [], dropped: false };
    const items: LogEntry[] = [];
    for (let index = buffer.lines.length - 1; index >= buffer.start && items.length < query.limit; index--) {
      const stored = buffer.lines[index]!;
      if (query.sinceMs !== undefined && stored.receivedAt <= query.sinceMs) break;
      if (query.executionId !== undefined && stored.entry.executionId !== query.executionId) continue;
      items.push(stored.entry);
    }
    items.reverse();
    const dropped = buffer.evictedUpTo > (query.sinceMs ?? Number.NEGATIVE_INFINITY);
    return { items, dropped };
  }

  /**
   * Calls `listener` with every further line matching the query (its `limit` and `sinceMs` do not
   * apply) and `onEnd` when the function is forgotten. Returns the function that stops it, or
   * undefined when `maxFollowers` are following.
   */
  follow(
    query: Omit<LogQuery, 'limit' | 'sinceMs'>,
    listener: (entry: LogEntry) => void,
    onEnd: () => void,
  ): (() => void) | undefined {
    if (this.#followerCount >= this.#config.maxFollowers) return undefined;
    const follower: Follower = {
      deliver(entry) {
        if (query.executionId === undefined || entry.executionId === query.executionId) listener(entry);
      },
      end: onEnd,
    };
    let set = this.#followers.get(query.functionName);
    if (set === undefined) {
      set = new Set();
      this.#followers.set(query.functionName, set);
    }
    set.add(follower);
    this.#followerCount++;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.#followerCount--;
      const current = this.#followers.get(query.functionName);
      current?.delete(follower);
      if (current?.size === 0) this.#followers.delete(query.functionName);
    };
  }

  /** Drops a deleted function's lines. */
  forget(functionName: string): void {
    this.#buffers.delete(functionName);
    for (const follower of [...(this.#followers.get(functionName) ?? [])]) follower.end();
  }
}

/** Cuts `line` to at most `maxBytes` bytes of UTF-8 without splitting a character. */
function cut(line: string, maxBytes: number): { text: string; truncated: boolean } {
  if (line.length * 3 <= maxBytes || Buffer.byteLength(line) <= maxBytes)
    return { text: line, truncated: false };
  const text = Buffer.from(line, 'utf8')
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return { text, truncated: true };
}

import type { DeployedFunction } from '../backends/backend.js';
import type { LiveExecution } from '../executions/live-execution.js';

/** One function's FIFO queue and in-flight count inside the scheduler. */
export class FunctionLane {
  private items: LiveExecution[] = [];
  private head = 0;
  inFlight = 0;
  /** Executions waiting out a retry backoff. */
  readonly retrying = new Set<LiveExecution>();

  constructor(public fn: DeployedFunction) {}

  get queued(): number {
    return this.items.length - this.head;
  }

  /** In-flight invocations the backend may run at once for this function. */
  get capacity(): number {
    return this.fn.spec.concurrency * this.fn.spec.scaling.maxReplicas;
  }

  get hasRoomToDispatch(): boolean {
    return this.inFlight < this.capacity;
  }

  push(execution: LiveExecution): void {
    this.items.push(execution);
  }

  /** Puts a retry in front: it already waited its turn once. */
  pushFront(execution: LiveExecution): void {
    if (this.head > 0) this.items[--this.head] = execution;
    else this.items.unshift(execution);
  }

  shift(): LiveExecution | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head] = undefined as unknown as LiveExecution;
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes and returns everything queued. */
  drain(): LiveExecution[] {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return all;
  }

  /** Drops executions that ended while queued (expired sync callers). */
  compact(): void {
    const kept = this.items.slice(this.head).filter((execution) => !execution.settled);
    this.items = kept;
    this.head = 0;
  }
}

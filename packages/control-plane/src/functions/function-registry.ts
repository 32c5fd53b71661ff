import {
  errorInfo,
  type FunctionResponse,
  type FunctionSpec,
  type FunctionStatus,
  PlatformError,
  resolveFunctionSpec,
} from '@nanofaas/contracts';
import type { Backend, DeployedFunction } from '../backends/backend.js';
import type { Clock } from '../deps/clock.js';
import type { Logger } from '../observability/logger.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { FunctionRecord, FunctionStore } from '../store/function-store.js';

/** Called when a function is deleted, for the parts that keep per-function state. */
export type FunctionDeletedListener = (name: string) => void;

/**
 * Registered functions: the store is the truth, this map its cache, the scheduler and the backend
 * follow every change. A spec is validated by the backend before it is stored; registration and
 * updates reach the backend before they are acknowledged.
 */
export class FunctionRegistry {
  private readonly functions = new Map<string, { record: FunctionRecord; deployed: DeployedFunction }>();
  /** Names with a register/update/delete in progress: concurrent changes of one name conflict. */
  private readonly changing = new Set<string>();

  constructor(
    private readonly store: FunctionStore,
    private readonly backend: Backend,
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onDeleted: FunctionDeletedListener,
  ) {}

  /** Loads stored functions and deploys them; a backend failure is logged, not fatal. */
  async load(): Promise<void> {
    for (const record of this.store.list()) {
      const deployed = { spec: record.spec, revision: record.revision };
      this.functions.set(record.spec.name, { record, deployed });
      this.scheduler.setFunction(deployed);
      try {
        await this.backend.ensureFunction(deployed);
        if (record.replicas !== null) await this.backend.scaleFunction(record.spec.name, record.replicas);
      } catch (error) {
        this.logger.warn({ err: error, function: record.spec.name }, 'cannot deploy stored function');
      }
    }
  }

  deployed(name: string): DeployedFunction | undefined {
    return this.functions.get(name)?.deployed;
  }

  /** Every registered function as the backend should run it (Backend.reconcile). */
  deployedAll(): DeployedFunction[] {
    return [...this.functions.values()].map((entry) => entry.deployed);
  }

  /**
   * A state the backend pushed (BackendContext.reportState): logged, and a `failed` function's
   * queued sync requests fail at once with the backend's message instead of waiting out their
   * timeout (async ones stay queued: the cause may pass).
   */
  noteState(name: string, status: FunctionStatus): void {
    if (!this.functions.has(name)) return;
    if (status.state === 'failed') {
      this.logger.warn({ function: name, message: status.message }, 'function failed');
      const message = status.message ?? 'the backend reports the function as failed';
      this.scheduler.failQueuedSync(name, errorInfo('FUNCTION_UNAVAILABLE', `"${name}": ${message}`));
    } else {
      this.logger.info({ function: name, state: status.state, message: status.message }, 'function state');
    }
  }

  list(): FunctionResponse[] {
    return [...this.functions.values()]
      .map(({ record }) => this.toResponse(record))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  describe(name: string): FunctionResponse {
    return this.toResponse(this.require(name).record);
  }

  async register(spec: FunctionSpec): Promise<FunctionResponse> {
    if (this.functions.has(spec.name) || this.changing.has(spec.name)) {
      throw new PlatformError('FUNCTION_EXISTS', `function "${spec.name}" is already registered`);
    }
    const now = this.clock.now();
    const resolved = resolveFunctionSpec(spec);
    this.backend.validate(resolved);
    const record: FunctionRecord = {
      spec: resolved,
      revision: 1,
      replicas: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.apply(record);
    this.logger.info({ function: spec.name }, 'function registered');
    return this.toResponse(record);
  }

  /** New instances run the new revision; attempts already dispatched finish on the old one. */
  async update(name: string, spec: FunctionSpec): Promise<FunctionResponse> {
    if (spec.name !== name) {
      const message = `must equal the name in the path ("${name}")`;
      throw new PlatformError('VALIDATION_FAILED', `field "name": ${message}`, {
        issues: [{ field: 'name', rule: 'enum', message }],
      });
    }
    const current = this.require(name).record;
    this.guard(name);
    const resolved = resolveFunctionSpec(spec);
    this.backend.validate(resolved);
    const record: FunctionRecord = {
      ...current,
      spec: resolved,
      revision: current.revision + 1,
      updatedAt: this.clock.now(),
    };
    await this.apply(record, true);
    this.logger.info({ function: name, revision: record.revision }, 'function updated');
    return this.toResponse(record);
  }

  /** Queued executions end as FUNCTION_DELETED; attempts in flight finish; instances are removed. */
  async delete(name: string): Promise<void> {
    this.require(name);
    this.guard(name);
    this.changing.add(name);
    try {
      this.functions.delete(name);
      this.store.delete(name);
      this.scheduler.removeFunction(name);
      this.onDeleted(name);
      await this.backend.removeFunction(name);
      this.logger.info({ function: name }, 'function deleted');
    } finally {
      this.changing.delete(name);
    }
  }

  async setReplicas(name: string, replicas: number | null): Promise<FunctionResponse> {
    const current = this.require(name).record;
    const record: FunctionRecord = { ...current, replicas, updatedAt: this.clock.now() };
    await this.backend.scaleFunction(name, replicas);
    this.store.save(record);
    const entry = this.functions.get(name);
    if (entry) entry.record = record;
    return this.toResponse(record);
  }

  private async apply(record: FunctionRecord, isUpdate = false): Promise<void> {
    const name = record.spec.name;
    const deployed: DeployedFunction = { spec: record.spec, revision: record.revision };
    this.changing.add(name);
    try {
      await this.backend.ensureFunction(deployed);
      if (!isUpdate && this.functions.has(name)) {
        throw new PlatformError('FUNCTION_EXISTS', `function "${name}" is already registered`);
      }
      this.store.save(record);
      this.functions.set(name, { record, deployed });
      this.scheduler.setFunction(deployed);
    } finally {
      this.changing.delete(name);
    }
  }

  private require(name: string) {
    const entry = this.functions.get(name);
    if (!entry) throw new PlatformError('FUNCTION_NOT_FOUND', `function "${name}" is not registered`);
    return entry;
  }

  private guard(name: string): void {
    if (this.changing.has(name)) {
      throw new PlatformError('FUNCTION_EXISTS', `function "${name}" is being changed by another request`);
    }
  }

  private toResponse(record: FunctionRecord): FunctionResponse {
    const response: FunctionResponse = {
      ...record.spec,
      revision: record.revision,
      effectiveExecutionMode: record.spec.executionMode,
      createdAt: new Date(record.createdAt).toISOString(),
      updatedAt: new Date(record.updatedAt).toISOString(),
    };
    const status = this.backend.describeFunction(record.spec.name);
    if (status) response.status = status;
    return response;
  }
}

import type { BackendConfig } from '../config/backend-config.js';
import type { Clock } from '../deps/clock.js';
import type { Logger } from '../observability/logger.js';
import type { Backend } from './backend.js';
import type { FunctionLogSink } from './function-log-sink.js';
import { KubernetesBackend } from './kubernetes/kubernetes-backend.js';
import { LocalBackend } from './local/local-backend.js';
import { PoolBackend } from './pool-backend.js';

/** Side effects every backend gets from the app (STYLE.md §6). */
export interface BackendDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Receives function output (the log API). */
  readonly logs?: FunctionLogSink;
}

/** The Backend NANOFAAS_BACKEND selects. One case per implementation. */
export function createBackend(config: BackendConfig, deps: BackendDeps): Backend {
  const kind = config.kind;
  switch (kind) {
    case 'local': {
      const logger = deps.logger.child({ backend: 'local' });
      return new LocalBackend({
        config: config.local,
        clock: deps.clock,
        log: (message) => logger.info(message),
        ...(deps.logs === undefined ? {} : { logs: deps.logs }),
      });
    }
    case 'pool':
      return new PoolBackend({ clock: deps.clock });
    case 'kubernetes':
      return new KubernetesBackend({ config: config.kubernetes, clock: deps.clock, logger: deps.logger });
    default: {
      const unknown: never = kind;
      throw new Error(`unknown backend ${String(unknown)}`);
    }
  }
}

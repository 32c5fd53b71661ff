import type { Config } from '../config/load-config.js';
import type { Backend } from './backend.js';
import type { FunctionLogSink } from './function-log-sink.js';
import { LocalBackend } from './local/local-backend.js';
import { PoolBackend } from './pool-backend.js';

/** The Backend NANOFAAS_BACKEND selects. One case per implementation; `logs` receives function output. */
export function createBackend(config: Config, logs?: FunctionLogSink): Backend {
  const kind = config.backend.kind;
  switch (kind) {
    case 'local':
      return new LocalBackend({ config: config.backend.local, ...(logs === undefined ? {} : { logs }) });
    case 'pool':
      return new PoolBackend();
    default: {
      const unknown: never = kind;
      throw new Error(`unknown backend ${String(unknown)}`);
    }
  }
}

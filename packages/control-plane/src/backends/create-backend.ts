import type { Config } from '../config/load-config.js';
import type { Backend } from './backend.js';
import { LocalBackend } from './local/local-backend.js';
import { PoolBackend } from './pool-backend.js';

/** The Backend NANOFAAS_BACKEND selects. One case per implementation. */
export function createBackend(config: Config): Backend {
  const kind = config.backend.kind;
  switch (kind) {
    case 'local':
      return new LocalBackend({ config: config.backend.local });
    case 'pool':
      return new PoolBackend();
    default: {
      const unknown: never = kind;
      throw new Error(`unknown backend ${String(unknown)}`);
    }
  }
}

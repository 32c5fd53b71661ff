import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFunctionSpec } from '@nanofaas/contracts';
import { LocalBackend } from '../src/backends/local/local-backend.js';
import { EnvReader } from '../src/config/env-reader.js';
import { loadLocalBackendConfig } from '../src/config/local-backend-config.js';
import { describeBackendConformance } from './backend-conformance.js';
import { ECHO_SERVER_PATH } from './fixtures/echo-process.js';

describeBackendConformance(
  'local',
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'nanofaas-local-conformance-'));
    // Functions run as a uid of their own under a root control plane: their files must be open to it.
    chmodSync(root, 0o755);
    const config = loadLocalBackendConfig(new EnvReader({ NANOFAAS_FUNCTIONS_ROOT: root }), root);
    return {
      createBackend: () => new LocalBackend({ config, processLog: () => undefined, log: () => undefined }),
      async echoFunction(options) {
        const spec = resolveFunctionSpec({
          name: options.name,
          runtimeCommand: `${process.execPath} ${ECHO_SERVER_PATH}`,
          runtimeMode: 'HTTP',
          concurrency: options.concurrency,
          timeoutMs: options.timeoutMs,
          executionMode: options.executionMode,
          scaling: { minReplicas: options.minReplicas ?? 1, maxReplicas: options.maxReplicas },
          ...(options.env ? { env: options.env } : {}),
        });
        return { spec, revision: 1 };
      },
      async cleanup() {
        rmSync(root, { recursive: true, force: true });
      },
    };
  },
  { modes: ['DEPLOYMENT', 'REMOTE'] },
);

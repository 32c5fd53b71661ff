import { resolveFunctionSpec } from '@nanofaas/contracts';
import { describeBackendConformance } from './backend-conformance.js';
import { InProcessBackend } from './fixtures/in-process-backend.js';

// The test fake passes the same suite as the real backends (STYLE.md §7).
describeBackendConformance(
  'in-process test backend',
  async () => {
    let backend = new InProcessBackend();
    await backend.start({ load: { queuedCount: () => 0 } });
    return {
      get backend() {
        return backend;
      },
      async restart() {
        // Its runs live in this process: a restart loses them, as a control plane's would.
        await backend.stop();
        backend = new InProcessBackend();
        await backend.start({ load: { queuedCount: () => 0 } });
      },
      async echoFunction(options) {
        const spec = resolveFunctionSpec({
          name: options.name,
          endpointUrl: 'http://127.0.0.1:9/',
          concurrency: options.concurrency,
          timeoutMs: options.timeoutMs,
          executionMode: options.executionMode,
          scaling: { minReplicas: options.minReplicas ?? 1, maxReplicas: options.maxReplicas },
          ...(options.env ? { env: options.env } : {}),
        });
        return { spec, revision: 1 };
      },
      cleanup: () => backend.stop(),
    };
  },
  { modes: ['DEPLOYMENT', 'REMOTE'] },
);

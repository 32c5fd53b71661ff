import { resolveFunctionSpec } from '@nanofaas/contracts';
import { describeBackendConformance } from './backend-conformance.js';
import { InProcessBackend } from './fixtures/in-process-backend.js';

// The test fake passes the same suite as the real backends (STYLE.md §7).
describeBackendConformance(
  'in-process test backend',
  async () => {
    const backend = new InProcessBackend();
    await backend.start({ load: { queuedCount: () => 0 } });
    return {
      backend,
      async echoFunction(options) {
        const spec = resolveFunctionSpec({
          name: options.name,
          endpointUrl: 'http://127.0.0.1:9/',
          concurrency: options.concurrency,
          timeoutMs: options.timeoutMs,
          executionMode: options.executionMode,
          scaling: { minReplicas: 1, maxReplicas: options.maxReplicas },
        });
        return { spec, revision: 1 };
      },
      cleanup: () => backend.stop(),
    };
  },
  { modes: ['DEPLOYMENT', 'REMOTE'] },
);

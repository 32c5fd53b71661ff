import { resolveFunctionSpec } from '@nanofaas/contracts';
import { describeBackendConformance } from './backend-conformance.js';
import { InProcessBackend } from './fixtures/in-process-backend.js';

// The test fake passes the same suite as the real backends (STYLE.md §7).
describeBackendConformance(
  'in-process test backend',
  async () => {
    return {
      // Its runs live in this process: a restart loses them, as a control plane's would.
      createBackend: () => new InProcessBackend(),
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
    };
  },
  { modes: ['DEPLOYMENT', 'REMOTE'] },
);

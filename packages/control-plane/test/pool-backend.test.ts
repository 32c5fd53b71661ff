import { resolveFunctionSpec } from '@nanofaas/contracts';
import { PoolBackend } from '../src/backends/pool-backend.js';
import { describeBackendConformance } from './backend-conformance.js';
import { startEchoProcess } from './fixtures/echo-process.js';

describeBackendConformance('pool', async () => {
  const echo = await startEchoProcess();
  const backend = new PoolBackend();
  await backend.start({ load: { queuedCount: () => 0 } });
  return {
    backend,
    async echoFunction(options) {
      const spec = resolveFunctionSpec({
        name: options.name,
        endpointUrl: echo.url,
        concurrency: options.concurrency,
        timeoutMs: options.timeoutMs,
        executionMode: options.executionMode,
        scaling: { minReplicas: 1, maxReplicas: options.maxReplicas },
      });
      return { spec, revision: 1 };
    },
    async cleanup() {
      await backend.stop();
      await echo.stop();
    },
  };
});

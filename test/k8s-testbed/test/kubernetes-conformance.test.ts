// The backend conformance suite (packages/control-plane/test/backend-conformance.ts) on the
// Kubernetes backend, both modes, against the test bed: the same behaviour the local backend, the
// pool backend and the test fake have.
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveFunctionSpec } from '@nanofaas/contracts';
import pino from 'pino';
import { KubernetesBackend } from '../../../packages/control-plane/src/backends/kubernetes/kubernetes-backend.js';
import { EnvReader } from '../../../packages/control-plane/src/config/env-reader.js';
import { loadKubernetesBackendConfig } from '../../../packages/control-plane/src/config/kubernetes-backend-config.js';
import { systemClock } from '../../../packages/control-plane/src/deps/clock.js';
import { describeBackendConformance } from '../../../packages/control-plane/test/backend-conformance.js';
import { startTestbed, type Testbed } from '../src/index.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const watchdogPath = process.env.NANOFAAS_WATCHDOG_BIN ?? join(repo, 'watchdog/dist/watchdog');
const echoServer = join(repo, 'packages/control-plane/test/fixtures/echo-server.mjs');

let testbed: Testbed | undefined;
let namespaces = 0;
after(async () => {
  await testbed?.stop({ keepDir: process.env.NANOFAAS_K8S_KEEP === '1' });
});

describeBackendConformance(
  'kubernetes',
  async () => {
    testbed ??= await startTestbed({
      onProgress: () => undefined,
      imageEntrypoints: { '*': [watchdogPath] },
    });
    const bed = testbed;
    const namespace = `conformance-${++namespaces}`;
    await bed.createNamespace(namespace);
    const config = loadKubernetesBackendConfig(
      new EnvReader({
        KUBECONFIG: bed.kubeconfigPath,
        NANOFAAS_K8S_NAMESPACE: namespace,
        NANOFAAS_K8S_AUTOSCALE_INTERVAL_MS: '200',
        NANOFAAS_K8S_CALLBACK_GRACE_MS: '500',
      }),
    );
    const logger = pino({ level: process.env.NANOFAAS_LOG_LEVEL ?? 'silent' });
    return {
      createBackend: () => new KubernetesBackend({ config, clock: systemClock, logger }),
      async echoFunction(options) {
        const spec = resolveFunctionSpec({
          name: options.name,
          image: 'nanofaas/watchdog:latest',
          runtimeCommand: `${process.execPath} ${echoServer}`,
          runtimeMode: 'HTTP',
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
  {
    modes: ['DEPLOYMENT', 'REMOTE'],
    callbackHost: () => testbed?.network.hostIP ?? '127.0.0.1',
    timeoutMs: 600_000,
  },
);

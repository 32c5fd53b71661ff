// REMOTE payloads too large for one environment variable on the Kubernetes backend, against the
// test bed: the payload reaches the Job's pod as a file of the execution's Secret (a Secret volume,
// INVOCATION_PAYLOAD_FILE), the caller gets the same bytes back, the Secret goes with its Job, and
// a payload over what a Secret holds is a 413 naming the limit.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BatchV1Api, CoreV1Api, KubeConfig, type V1Job } from '@kubernetes/client-node';
import { startTestbed, type Testbed } from '../src/index.js';
import { waitFor } from '../src/wait-for.js';
import { type ControlPlaneOnTestbed, startControlPlaneOnTestbed } from './control-plane-on-testbed.js';
import { FailureLogs } from './failure-logs.js';

const namespace = 'remote-payloads';
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const watchdogPath = process.env.NANOFAAS_WATCHDOG_BIN ?? join(repo, 'watchdog/dist/watchdog');
const waitMs = 120_000;

/**
 * An InvocationRequest of about `bytes` bytes whose text a re-encoding would change: `7.0`, an
 * integer beyond 2^64, escapes and multi-byte characters.
 */
function requestOf(bytes: number): string {
  const unit = 'żółw ✓ \\u00e9 \\" 🐢 ';
  const text = unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit)));
  return `{"input":{"n":7.0,"big":123456789012345678901234567890,"text":"${text}"}}`;
}

describe('REMOTE payloads on the kubernetes backend', { timeout: 15 * 60_000 }, () => {
  let testbed: Testbed;
  let cp: ControlPlaneOnTestbed;
  let core: CoreV1Api;
  let batch: BatchV1Api;
  const logs = new FailureLogs(() => testbed);

  before(async () => {
    testbed = await startTestbed({ onProgress: () => undefined, imageEntrypoints: { '*': [watchdogPath] } });
    await testbed.createNamespace(namespace);
    const config = new KubeConfig();
    config.loadFromFile(testbed.kubeconfigPath);
    core = config.makeApiClient(CoreV1Api);
    batch = config.makeApiClient(BatchV1Api);
    cp = await startControlPlaneOnTestbed(testbed, namespace);
    const registered = await cp.call('POST', '/v1/functions', {
      name: 'remote-cat',
      image: 'nanofaas/watchdog:latest',
      executionMode: 'REMOTE',
      runtimeMode: 'STDIO',
      runtimeCommand: 'cat',
      timeoutMs: 60_000,
    });
    assert.equal(registered.status, 201, registered.text);
  });

  after(async () => {
    await cp?.stop();
    await testbed?.stop({ keepDir: logs.keepDir });
  });

  async function jobOf(executionId: string): Promise<V1Job> {
    const jobs = await batch.listNamespacedJob({
      namespace,
      labelSelector: `nanofaas.io/execution=${executionId}`,
    });
    assert.equal(jobs.items.length, 1, `one Job for ${executionId}`);
    return jobs.items[0]!;
  }

  it('a ~600 KiB payload reaches the Job as a file of its Secret and comes back as the same bytes', async () => {
    await logs.guard(async () => {
      const request = requestOf(600 * 1024);
      assert.ok(Buffer.byteLength(request) > 128 * 1024, 'too large for one environment variable');
      const invoked = await cp.call('POST', '/v1/functions/remote-cat:invoke', request);
      assert.equal(invoked.status, 200, invoked.text.slice(0, 2000));
      // `cat` writes back the InvocationRequest it read: the answer's output is the request's bytes.
      const executionId = invoked.json.executionId as string;
      assert.equal(invoked.json.status, 'success');
      assert.ok(
        invoked.text.endsWith(`,"output":${request}}`),
        'the answer carries the request bytes as they were',
      );
      const stored = await cp.call('GET', `/v1/executions/${executionId}`);
      assert.ok(stored.text.includes(`"output":${request}`), 'the execution record holds the same bytes');

      const job = await jobOf(executionId);
      const pod = job.spec!.template.spec!;
      const env = Object.fromEntries((pod.containers[0]!.env ?? []).map((e) => [e.name, e]));
      assert.equal(env.INVOCATION_PAYLOAD, undefined);
      assert.equal(env.INVOCATION_PAYLOAD_FILE?.value, '/var/run/nanofaas/invocation/payload.json');
      assert.deepEqual(
        pod.volumes?.[0]?.secret?.items?.map(({ key, path, mode }) => ({ key, path, mode })),
        [{ key: 'invocation-payload', path: 'payload.json', mode: 0o444 }],
      );
      const name = job.metadata!.name!;
      const secret = await core.readNamespacedSecret({ name, namespace });
      assert.equal(secret.metadata?.ownerReferences?.[0]?.uid, job.metadata?.uid);
      assert.ok(
        Buffer.from(secret.data?.['invocation-payload'] ?? '', 'base64').equals(Buffer.from(request)),
        'the Secret holds the request bytes',
      );

      // Deleting the Job (as its TTL or reconciliation does) takes the Secret with it: the garbage
      // collector follows the Secret's ownerReference.
      await batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
      await waitFor(
        `Secret ${name} to be collected with its Job`,
        async () =>
          (await core.listNamespacedSecret({ namespace, fieldSelector: `metadata.name=${name}` })).items
            .length === 0,
        { timeoutMs: waitMs, intervalMs: 250 },
      );
    });
  });

  it('a payload over what a Secret holds is 413 PAYLOAD_TOO_LARGE naming the limit (an enqueued one ends with that error), and no Job starts', async () => {
    await logs.guard(async () => {
      const request = requestOf(2 * 1024 * 1024);
      const refused = await cp.call('POST', '/v1/functions/remote-cat:invoke', request);
      assert.equal(refused.status, 413, refused.text.slice(0, 2000));
      assert.equal(refused.json.error.code, 'PAYLOAD_TOO_LARGE');
      assert.match(refused.json.error.message, /at most 1032192 bytes/);
      assert.match(refused.json.error.message, /Secret/);
      assert.match(
        refused.json.error.message,
        new RegExp(`this one has ${Buffer.byteLength(request)} bytes`),
      );
      const jobs = await batch.listNamespacedJob({
        namespace,
        labelSelector: `nanofaas.io/execution=${refused.json.executionId}`,
      });
      assert.equal(jobs.items.length, 0);

      const enqueued = await cp.call('POST', '/v1/functions/remote-cat:enqueue', request);
      assert.equal(enqueued.status, 202, enqueued.text);
      const ended = await waitFor(
        'the oversized enqueued execution to end',
        async () => {
          const status = await cp.call('GET', `/v1/executions/${enqueued.json.executionId}`);
          return status.json?.status === 'error' ? status.json : undefined;
        },
        { timeoutMs: waitMs, intervalMs: 200 },
      );
      assert.equal(ended.error.code, 'PAYLOAD_TOO_LARGE');
      assert.equal(ended.attempt, 1, 'not retried: the same payload could never fit');
    });
  });
});

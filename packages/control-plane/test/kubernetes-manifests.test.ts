/**
 * The objects the Kubernetes backend makes, as pure manifests: the spec's names, labels and env
 * tables, checked against the official schemas (kubernetes-models). The k8s suite checks that the
 * real API server accepts them too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container } from '@kubernetes/client-node';
import { resolveFunctionSpec } from '@nanofaas/contracts';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Secret, Service } from 'kubernetes-models/v1';
import {
  deploymentManifest,
  hpaManifest,
  serviceManifest,
} from '../src/backends/kubernetes/function-manifests.js';
import { jobManifest, secretManifest } from '../src/backends/kubernetes/job-manifests.js';
import { jobName } from '../src/backends/kubernetes/object-names.js';

const spec = resolveFunctionSpec({
  name: 'word-stats',
  image: 'registry.example/word-stats:1.0',
  runtimeMode: 'STDIO',
  runtimeCommand: 'java -jar /app/app.jar',
  env: { GREETING: 'hi' },
  resources: { cpu: '250m', memory: '128Mi' },
  timeoutMs: 30_000,
  imagePullSecrets: ['regcred'],
  scaling: { minReplicas: 3, maxReplicas: 10, strategy: 'HPA' },
});
const fn = { spec, revision: 7 };

function envOf(container: V1Container | undefined): Record<string, string> {
  return Object.fromEntries(
    (container?.env ?? []).map((e) => [e.name, e.value ?? `<${e.valueFrom?.secretKeyRef?.key}>`]),
  );
}

describe('kubernetes manifests', () => {
  it('Deployment fn-<name>: labels, revision annotation, replicas, the warm env table exactly', () => {
    const deployment = deploymentManifest(fn, 'nanofaas', 3);
    assert.equal(deployment.metadata?.name, 'fn-word-stats');
    const labels = { app: 'nanofaas', function: 'word-stats', 'app.kubernetes.io/managed-by': 'nanofaas' };
    assert.deepEqual(deployment.metadata?.labels, labels);
    assert.deepEqual(deployment.spec?.template.metadata?.labels, labels);
    assert.equal(deployment.spec?.template.metadata?.annotations?.['nanofaas.io/revision'], '7');
    assert.equal(deployment.spec?.replicas, 3);
    const pod = deployment.spec!.template.spec!;
    const container = pod.containers[0];
    assert.deepEqual(envOf(container), {
      GREETING: 'hi',
      FUNCTION_NAME: 'word-stats',
      WARM: 'true',
      TIMEOUT_MS: '30000',
      EXECUTION_MODE: 'STDIO',
      WATCHDOG_CMD: 'java -jar /app/app.jar',
    });
    assert.equal(container?.command, undefined, "the image's entrypoint (the watchdog) runs");
    assert.equal(container?.readinessProbe?.httpGet?.path, '/health');
    assert.equal(container?.livenessProbe?.httpGet?.path, '/health');
    assert.deepEqual(container?.resources, {
      requests: { cpu: '250m', memory: '128Mi' },
      limits: { memory: '128Mi' },
    });
    assert.deepEqual(pod.imagePullSecrets, [{ name: 'regcred' }]);
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.enableServiceLinks, false, 'Service links would add env beyond the table');
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.equal(container?.securityContext?.allowPrivilegeEscalation, false);
    new Deployment(deployment as never).validate();
  });

  it('an image-only function (approach 1) gets no WATCHDOG_CMD; `command` overrides the entrypoint', () => {
    const imageOnly = resolveFunctionSpec({
      name: 'native',
      image: 'acme/native:1',
      command: ['/app/handler'],
    });
    const container = deploymentManifest({ spec: imageOnly, revision: 1 }, 'nanofaas').spec!.template.spec!
      .containers[0];
    assert.deepEqual(Object.keys(envOf(container)).sort(), [
      'EXECUTION_MODE',
      'FUNCTION_NAME',
      'TIMEOUT_MS',
      'WARM',
    ]);
    assert.deepEqual(container?.command, ['/app/handler']);
  });

  it('Service fn-<name> is a ClusterIP on 8080 selecting function: <name>; HPA fn-<name> is CPU 50 %', () => {
    const service = serviceManifest(spec, 'nanofaas');
    assert.equal(service.metadata?.name, 'fn-word-stats');
    assert.equal(service.spec?.type, 'ClusterIP');
    assert.deepEqual(service.spec?.selector, { function: 'word-stats' });
    assert.equal(service.spec?.ports?.[0]?.port, 8080);
    new Service(service as never).validate();
    const hpa = hpaManifest(spec, 'nanofaas');
    assert.equal(hpa.metadata?.name, 'fn-word-stats');
    assert.equal(hpa.spec?.minReplicas, 3);
    assert.equal(hpa.spec?.maxReplicas, 10);
    assert.equal(hpa.spec?.metrics?.[0]?.resource?.target.averageUtilization, 50);
    new HorizontalPodAutoscaler(hpa as never).validate();
  });

  it('Job fn-<name>-<short id>: never restarted, deadline from the timeout, the one-shot env table exactly', () => {
    const remote = resolveFunctionSpec({ ...spec, executionMode: 'REMOTE', scaling: undefined });
    const run = {
      executionId: '019b0000-aaaa-7bbb-8ccc-0123456789ab',
      attempt: 2,
      callbackUrl: 'http://cp:8080/v1/internal/executions',
      timeoutMs: 30_000,
      traceId: 'trace-xyz',
      payloadJson: '{"input":"hello"}',
      payloadInSecret: false,
    };
    const job = jobManifest(remote, run, { namespace: 'nanofaas', ttlSecondsAfterFinished: 300 });
    const name = jobName('word-stats', run.executionId, 2);
    assert.match(name, /^fn-word-stats-[0-9a-z]{7}$/);
    assert.equal(job.metadata?.name, name);
    assert.equal(job.spec?.backoffLimit, 0);
    assert.equal(job.spec?.ttlSecondsAfterFinished, 300);
    assert.ok((job.spec?.activeDeadlineSeconds ?? 0) >= 30);
    const pod = job.spec!.template.spec!;
    assert.equal(pod.restartPolicy, 'Never');
    assert.deepEqual(envOf(pod.containers[0]), {
      GREETING: 'hi',
      FUNCTION_NAME: 'word-stats',
      EXECUTION_ID: run.executionId,
      CALLBACK_URL: run.callbackUrl,
      TIMEOUT_MS: '30000',
      EXECUTION_MODE: 'STDIO',
      WATCHDOG_CMD: 'java -jar /app/app.jar',
      TRACE_ID: 'trace-xyz',
      INVOCATION_PAYLOAD: '{"input":"hello"}',
      CALLBACK_TOKEN: '<callback-token>',
    });
    assert.equal(
      pod.containers[0]?.env?.find((e) => e.name === 'CALLBACK_TOKEN')?.valueFrom?.secretKeyRef?.name,
      name,
    );
    new Job(job as never).validate();

    assert.equal(pod.volumes, undefined, 'a small payload needs no volume');
    const small = secretManifest({ name, uid: 'uid-1' }, remote, run, 'tok', 'nanofaas');
    assert.deepEqual(small.stringData, { 'callback-token': 'tok' });
    assert.equal(small.data, undefined, 'a payload in the env is not in the Secret too');
    new Secret(small as never).validate();
  });

  it('a payload too large for an env value is a file of the Secret, owned by the Job; only that key is projected', () => {
    const remote = resolveFunctionSpec({
      ...spec,
      executionMode: 'REMOTE',
      scaling: undefined,
      // A function cannot put its own payload variables beside the platform's.
      env: { INVOCATION_PAYLOAD_FILE: '/etc/passwd', INVOCATION_PAYLOAD: '{}' },
    });
    // Multi-byte characters and JSON escapes: the file holds these bytes exactly.
    const payloadJson = JSON.stringify({ input: { text: 'żółw ✓ "\\u0000" '.repeat(10_000) } });
    const run = {
      executionId: '019b0000-aaaa-7bbb-8ccc-0123456789ab',
      attempt: 1,
      callbackUrl: 'http://cp:8080/v1/internal/executions',
      timeoutMs: 30_000,
      traceId: 'trace-xyz',
      payloadJson,
      payloadInSecret: true,
    };
    const name = jobName('word-stats', run.executionId, 1);
    const job = jobManifest(remote, run, { namespace: 'nanofaas', ttlSecondsAfterFinished: 300 });
    const pod = job.spec!.template.spec!;
    const container = pod.containers[0]!;
    const env = envOf(container);
    assert.equal(env.INVOCATION_PAYLOAD, undefined, 'not an env value (Linux caps one at 128 KiB)');
    assert.equal(env.INVOCATION_PAYLOAD_FILE, '/var/run/nanofaas/invocation/payload.json');
    assert.equal(env.CALLBACK_TOKEN, '<callback-token>', 'the token stays an env value from the Secret');
    assert.deepEqual(pod.volumes, [
      {
        name: 'invocation-payload',
        secret: {
          secretName: name,
          items: [{ key: 'invocation-payload', path: 'payload.json', mode: 0o444 }],
          defaultMode: 0o444,
        },
      },
    ]);
    assert.deepEqual(container.volumeMounts, [
      { name: 'invocation-payload', mountPath: '/var/run/nanofaas/invocation', readOnly: true },
    ]);
    new Job(job as never).validate();

    const secret = secretManifest({ name, uid: 'uid-1' }, remote, run, 'tok', 'nanofaas');
    assert.deepEqual(secret.metadata?.ownerReferences?.[0], {
      apiVersion: 'batch/v1',
      kind: 'Job',
      name,
      uid: 'uid-1',
      controller: true,
      blockOwnerDeletion: true,
    });
    assert.deepEqual(secret.stringData, { 'callback-token': 'tok' });
    const stored = Buffer.from(secret.data?.['invocation-payload'] ?? '', 'base64');
    assert.ok(stored.equals(Buffer.from(payloadJson)), 'the Secret holds the payload bytes exactly');
    assert.ok(stored.length > 128 * 1024);
    new Secret(secret as never).validate();
  });

  it('job names differ per execution and attempt and stay within 63 characters', () => {
    const longName = 'a'.repeat(52);
    const names = new Set<string>();
    for (let i = 0; i < 1000; i++)
      names.add(jobName(longName, `019b0000-aaaa-7bbb-8ccc-${String(i).padStart(12, '0')}`, 1));
    assert.equal(names.size, 1000);
    for (const name of names) assert.ok(name.length <= 63, name);
    assert.notEqual(jobName('f', 'x', 1), jobName('f', 'x', 2));
  });
});

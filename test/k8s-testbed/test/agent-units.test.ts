// Pure parts of the node agent, without a control plane.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { loadAgentConfig } from '../src/agent/agent-config.js';
import {
  ContainerStartError,
  expandReferences,
  resolveContainerLaunch,
} from '../src/agent/container-launch.js';
import { parseImageEntrypoints } from '../src/agent/image-entrypoints.js';
import { buildPodStatus } from '../src/agent/pod-status.js';
import { decodePodNetworkSpec } from '../src/pod-network.js';

const pod: V1Pod = {
  metadata: { name: 'fn-abc', namespace: 'team', uid: 'u1', labels: { function: 'echo' } },
  spec: { containers: [{ name: 'fn', image: 'registry.example/nanofaas/watchdog:1.2.3' }] },
};

const context = {
  podIP: '10.244.1.5',
  hostIP: '10.244.1.1',
  nodeName: 'node-a',
  imageEntrypoints: {
    'nanofaas/watchdog': ['/opt/watchdog'],
    'acme/fn-python': ['/usr/bin/python3', '-m', 'fn'],
  },
  readData: async (kind: 'ConfigMap' | 'Secret', _namespace: string, name: string) =>
    name === 'present' ? { KEY: `${kind}-value` } : undefined,
};

describe('container launch', () => {
  it('runs the watchdog binary for nanofaas/watchdog images and passes the pod address as HOST', async () => {
    const launch = await resolveContainerLaunch(pod, pod.spec!.containers[0]!, context);
    assert.equal(launch.command, '/opt/watchdog');
    assert.equal(launch.env.HOST, '10.244.1.5');
  });

  it('runs a mapped image entrypoint with the container args after it', async () => {
    const container = {
      name: 'c',
      image: 'registry.local:5000/acme/fn-python@sha256:abc1',
      args: ['--port', '8080'],
    };
    const launch = await resolveContainerLaunch(pod, container, context);
    assert.equal(launch.command, '/usr/bin/python3');
    assert.deepEqual(launch.args, ['-m', 'fn', '--port', '8080']);
    const any = await resolveContainerLaunch(
      pod,
      { name: 'c', image: 'other:1' },
      {
        ...context,
        imageEntrypoints: { '*': ['/opt/watchdog'] },
      },
    );
    assert.equal(any.command, '/opt/watchdog');
  });

  it('refuses an unknown image without a command, naming the image', async () => {
    const container = { name: 'c', image: 'python:3.12' };
    await assert.rejects(
      resolveContainerLaunch(pod, container, context),
      (error: unknown) =>
        error instanceof ContainerStartError &&
        error.reason === 'CreateContainerError' &&
        /python:3\.12/.test(error.message),
    );
  });

  it('resolves env from values, fieldRefs, ConfigMaps and Secrets, and expands $(VAR) in args', async () => {
    const container = {
      name: 'c',
      command: ['echo'],
      args: ['$(NAME)-$(CM)', '$$(NAME)', '$(MISSING)'],
      env: [
        { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'FN', valueFrom: { fieldRef: { fieldPath: "metadata.labels['function']" } } },
        { name: 'CM', valueFrom: { configMapKeyRef: { name: 'present', key: 'KEY' } } },
        { name: 'SECRET', valueFrom: { secretKeyRef: { name: 'present', key: 'KEY' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      ],
      envFrom: [{ prefix: 'X_', configMapRef: { name: 'present' } }],
    };
    const launch = await resolveContainerLaunch(pod, container, context);
    assert.deepEqual(launch.args, ['fn-abc-ConfigMap-value', '$(NAME)', '$(MISSING)']);
    assert.equal(launch.env.FN, 'echo');
    assert.equal(launch.env.SECRET, 'Secret-value');
    assert.equal(launch.env.IP, '10.244.1.5');
    assert.equal(launch.env.X_KEY, 'ConfigMap-value');
  });

  it('reports a missing ConfigMap key as CreateContainerConfigError unless optional', async () => {
    const env = [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'absent', key: 'K' } } }];
    await assert.rejects(
      resolveContainerLaunch(pod, { name: 'c', command: ['true'], env }, context),
      (error: unknown) =>
        error instanceof ContainerStartError && error.reason === 'CreateContainerConfigError',
    );
    const optional = [
      { name: 'A', valueFrom: { configMapKeyRef: { name: 'absent', key: 'K', optional: true } } },
    ];
    const launch = await resolveContainerLaunch(
      pod,
      { name: 'c', command: ['true'], env: optional },
      context,
    );
    assert.equal('A' in launch.env, false);
  });

  it('expands references the way Kubernetes does', () => {
    assert.equal(expandReferences('a$(X)b$$(X)c$(Y)', { X: '1' }), 'a1b$(X)c$(Y)');
  });
});

describe('pod status', () => {
  it('reports a finished pod as not ready with the exit code and keeps the pod IP', () => {
    const conditionSince = new Map();
    const startedAt = new Date();
    const status = buildPodStatus({
      pod,
      container: pod.spec!.containers[0]!,
      phase: 'Failed',
      phaseReason: undefined,
      podIP: '10.244.1.5',
      hostIP: '10.244.1.1',
      startTime: startedAt,
      state: { kind: 'terminated', exitCode: 3, reason: 'Error', startedAt, finishedAt: new Date() },
      lastTerminated: undefined,
      restartCount: 0,
      ready: true,
      started: false,
      conditionSince,
    });
    assert.equal(status.phase, 'Failed');
    assert.equal(status.podIP, '10.244.1.5');
    assert.equal(status.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);
    const ready = status.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'PodFailed');
  });
});

describe('configuration', () => {
  it('names the missing or invalid variable', () => {
    assert.throws(() => loadAgentConfig({}), /KUBECONFIG is required/);
    assert.throws(
      () => decodePodNetworkSpec('{"kind":"overlay"}', 'NANOFAAS_POD_NETWORK'),
      /NANOFAAS_POD_NETWORK\.kind must be/,
    );
    assert.throws(() => decodePodNetworkSpec('{', 'NANOFAAS_POD_NETWORK'), /not valid JSON/);
    assert.throws(
      () => parseImageEntrypoints('{"acme/fn": []}', 'NANOFAAS_IMAGE_ENTRYPOINTS'),
      /NANOFAAS_IMAGE_ENTRYPOINTS\["acme\/fn"\] must be a non-empty array/,
    );
  });
});

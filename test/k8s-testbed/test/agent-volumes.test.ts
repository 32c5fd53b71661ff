// The node agent's volumes and in-cluster config, in memory: what preparePodVolumes materialises for
// a pod and the mount script's arguments (the mounts themselves run in helm-install.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { V1Pod, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { ClusterApiService } from '../src/agent/cluster-api-service.js';
import { ContainerStartError } from '../src/agent/container-launch.js';
import { preparePodVolumes, type VolumeContext } from '../src/agent/pod-volumes.js';
import { withPrivateTmp } from '../src/agent/private-tmp.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function context(overrides: Partial<VolumeContext> = {}): VolumeContext & { tokens: string[] } {
  const podDir = mkdtempSync(join(tmpdir(), 'nanofaas-volumes-'));
  dirs.push(podDir);
  const tokens: string[] = [];
  return {
    podDir,
    tokens,
    readData: async (kind, _namespace, name) =>
      kind === 'ConfigMap' && name === 'kube-root-ca.crt' ? { 'ca.crt': 'PEM' } : undefined,
    requestToken: async (pod, audience, seconds) => {
      tokens.push(`${pod.spec?.serviceAccountName}:${audience ?? ''}:${seconds}`);
      return 'signed-token';
    },
    claimPath: async (_namespace, claim) => {
      if (claim !== 'data')
        throw new ContainerStartError('CreateContainerConfigError', `"${claim}" is not bound`);
      return '/srv/volumes/data';
    },
    fieldValue: (path) => (path === 'metadata.namespace' ? 'nanofaas' : ''),
    ...overrides,
  };
}

/** A pod as the API server stores it after the ServiceAccount admission plugin. */
function podWith(volumes: V1Volume[], mounts: V1VolumeMount[]): V1Pod {
  return {
    metadata: { name: 'cp', namespace: 'nanofaas', uid: 'u1' },
    spec: {
      serviceAccountName: 'nanofaas',
      volumes,
      containers: [{ name: 'control-plane', image: 'nanofaas/control-plane:test', volumeMounts: mounts }],
    },
  };
}

const serviceAccountVolume = {
  name: 'kube-api-access-abcde',
  projected: {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      {
        downwardAPI: {
          items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
        },
      },
    ],
  },
};
const serviceAccountPath = '/var/run/secrets/kubernetes.io/serviceaccount';

describe('pod volumes', () => {
  it('the service-account volume: a bound token, the CA and the namespace, mounted read-only', async () => {
    const ctx = context();
    const pod = podWith(
      [serviceAccountVolume],
      [{ name: serviceAccountVolume.name, mountPath: serviceAccountPath, readOnly: true }],
    );
    const mounts = await preparePodVolumes(pod, pod.spec!.containers[0]!, ctx);
    assert.equal(mounts.length, 1);
    const [mount] = mounts;
    assert.equal(mount!.target, serviceAccountPath);
    assert.equal(mount!.readOnly, true);
    assert.equal(readFileSync(join(mount!.source, 'token'), 'utf8'), 'signed-token');
    assert.equal(readFileSync(join(mount!.source, 'ca.crt'), 'utf8'), 'PEM');
    assert.equal(readFileSync(join(mount!.source, 'namespace'), 'utf8'), 'nanofaas');
    assert.equal(statSync(join(mount!.source, 'token')).mode & 0o777, 0o644);
    assert.deepEqual(ctx.tokens, ['nanofaas::3607'], "the pod's ServiceAccount, the API server's audience");
  });

  it('a Secret volume projecting one key: only that file, at its path and mode, holding the bytes of the Secret', async () => {
    // As a REMOTE Job's pod mounts its payload; the token beside it in the Secret must not appear.
    const payload = `{"input":"${'żółw ✓ \\u00e9 '.repeat(40_000)}"}`;
    const ctx = context({
      readData: async (kind, _namespace, name) =>
        kind === 'Secret' && name === 'fn-echo-abc1234'
          ? { 'callback-token': 'never-a-file', 'invocation-payload': payload }
          : undefined,
    });
    const mountPath = '/var/run/nanofaas/invocation';
    const pod = podWith(
      [
        {
          name: 'invocation-payload',
          secret: {
            secretName: 'fn-echo-abc1234',
            items: [{ key: 'invocation-payload', path: 'payload.json', mode: 0o444 }],
            defaultMode: 0o444,
          },
        },
      ],
      [{ name: 'invocation-payload', mountPath, readOnly: true }],
    );
    const mounts = await preparePodVolumes(pod, pod.spec!.containers[0]!, ctx);
    assert.deepEqual(
      mounts.map((m) => [m.target, m.readOnly]),
      [[mountPath, true]],
    );
    const source = mounts[0]!.source;
    assert.deepEqual(readdirSync(source), ['payload.json'], 'only the projected key');
    const file = join(source, 'payload.json');
    assert.ok(readFileSync(file).equals(Buffer.from(payload)), 'the bytes of the Secret, exactly');
    assert.ok(statSync(file).size > 128 * 1024);
    assert.equal(statSync(file).mode & 0o777, 0o444);

    const missing = podWith(
      [{ name: 'p', secret: { secretName: 'gone', items: [{ key: 'invocation-payload', path: 'p.json' }] } }],
      [{ name: 'p', mountPath }],
    );
    await assert.rejects(preparePodVolumes(missing, missing.spec!.containers[0]!, ctx), (error: Error) => {
      assert.ok(error instanceof ContainerStartError, 'the container waits for the Secret (retried)');
      assert.match(error.message, /volume "p": secret "gone" not found/);
      return true;
    });
  });

  it('emptyDir, claims and subPath; parents are mounted before children', async () => {
    const ctx = context();
    const pod = podWith(
      [
        { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      ],
      [
        { name: 'data', mountPath: '/var/lib/nanofaas/db', subPath: 'db' },
        { name: 'tmp', mountPath: '/tmp' },
      ],
    );
    const mounts = await preparePodVolumes(pod, pod.spec!.containers[0]!, ctx);
    assert.deepEqual(
      mounts.map((m) => [m.target, m.readOnly]),
      [
        ['/tmp', false],
        ['/var/lib/nanofaas/db', false],
      ],
    );
    assert.equal(mounts[1]!.source, '/srv/volumes/data/db');
    assert.equal(statSync(mounts[0]!.source).mode & 0o777, 0o777);
  });

  it('a volume the agent cannot mount, or a claim not bound, stops the container with its name', async () => {
    const nfs = podWith(
      [{ name: 'shared', nfs: { server: 'x', path: '/' } }],
      [{ name: 'shared', mountPath: '/mnt/shared' }],
    );
    await assert.rejects(preparePodVolumes(nfs, nfs.spec!.containers[0]!, context()), (error: Error) => {
      assert.ok(error instanceof ContainerStartError);
      assert.match(error.message, /volume "shared": nfs volumes are not supported/);
      return true;
    });
    const unbound = podWith(
      [{ name: 'data', persistentVolumeClaim: { claimName: 'other' } }],
      [{ name: 'data', mountPath: '/data' }],
    );
    await assert.rejects(
      preparePodVolumes(unbound, unbound.spec!.containers[0]!, context()),
      /"other" is not bound/,
    );
    const missingCa = podWith(
      [serviceAccountVolume],
      [{ name: serviceAccountVolume.name, mountPath: serviceAccountPath }],
    );
    await assert.rejects(
      preparePodVolumes(
        missingCa,
        missingCa.spec!.containers[0]!,
        context({ readData: async () => undefined }),
      ),
      /configmap "kube-root-ca.crt" not found/,
    );
  });

  it('the mount script gets a volume on /tmp as the pod tmp, the others as triples', () => {
    const wrapped = withPrivateTmp(
      '/state/pod/tmp',
      'node',
      ['main.js'],
      [
        { source: '/state/pod/volumes/tmp', target: '/tmp', readOnly: false },
        { source: '/state/pod/volumes/sa', target: serviceAccountPath, readOnly: true },
      ],
      '/work/checkout',
    );
    assert.equal(wrapped.command, 'unshare');
    const args = wrapped.args.slice(wrapped.args.indexOf('-c') + 2);
    assert.deepEqual(args, [
      '/state/pod/volumes/tmp',
      '',
      '1',
      '/state/pod/volumes/sa',
      serviceAccountPath,
      'ro',
      'node',
      'main.js',
    ]);
  });
});

describe('the kubernetes Service for pods', () => {
  it('on the loopback network: the API server address itself, in the kubelet variables', async () => {
    const service = new ClusterApiService({
      core: undefined as never,
      network: {
        kind: 'loopback',
        prefix: '127.9.0',
        hostIP: '127.0.0.1',
        podCIDR: '127.9.0.0/24',
        serviceCIDR: '10.0.0.0/24',
      },
      apiServer: new URL('https://127.0.0.1:6443'),
      log: () => undefined,
    });
    await service.start();
    assert.deepEqual(service.env(), {
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: '6443',
      KUBERNETES_SERVICE_PORT_HTTPS: '6443',
      KUBERNETES_PORT: 'tcp://127.0.0.1:6443',
      KUBERNETES_PORT_6443_TCP: 'tcp://127.0.0.1:6443',
      KUBERNETES_PORT_6443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_6443_TCP_PORT: '6443',
      KUBERNETES_PORT_6443_TCP_ADDR: '127.0.0.1',
    });
    await service.stop();
  });
});

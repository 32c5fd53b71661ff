// Helpers of the chart tests: run helm, render deploy/helm/nanofaas with given values, and check each
// rendered object against the official Kubernetes schemas (kubernetes-models).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const chartDir = join(repositoryRoot, 'deploy', 'helm', 'nanofaas');

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are read field by field in tests
  [field: string]: any;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never rejects on a non-zero exit (the result carries it). */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { env: options.env ?? process.env, maxBuffer: 16 << 20, timeout: options.timeoutMs ?? 300_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (error && code === -1 && !stderr) reject(error);
        else resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  values?: Record<string, unknown>;
}

/** A values file (JSON is YAML) in a fresh temporary directory; `cleanup` removes it. */
export function writeValues(values: Record<string, unknown>): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'nanofaas-values-'));
  const path = join(dir, 'values.yaml');
  writeFileSync(path, JSON.stringify(values));
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `helm template` with the given values; the stdout YAML, or throws with helm's message. */
export async function renderChartText(helm: string, options: RenderOptions = {}): Promise<string> {
  const values = writeValues(options.values ?? {});
  try {
    const result = await run(helm, [
      'template',
      options.release ?? 'nanofaas',
      chartDir,
      '--namespace',
      options.namespace ?? 'nanofaas',
      '--values',
      values.path,
    ]);
    if (result.code !== 0) throw new Error(`helm template failed (exit ${result.code}): ${result.stderr}`);
    return result.stdout;
  } finally {
    values.cleanup();
  }
}

export async function renderChart(helm: string, options: RenderOptions = {}): Promise<KubeObject[]> {
  return parseManifests(await renderChartText(helm, options));
}

export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null);
}

export function findObject(objects: KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) {
    const present = objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
    throw new Error(`no ${kind}${name ? `/${name}` : ''} rendered (rendered: ${present})`);
  }
  return found;
}

/**
 * Validates an object (the module of `apps/v1` is `kubernetes-models/apps/v1`, of core `v1`
 * `kubernetes-models/v1`) against the official OpenAPI schema of its kind (kubernetes-models 4.x, JSON
 * schemas generated from Kubernetes' own); throws naming the object and the failing fields.
 */
export async function validateAgainstSchema(object: KubeObject): Promise<void> {
  const module = (await import(`kubernetes-models/${object.apiVersion}`)) as Record<
    string,
    new (
      data: unknown,
    ) => { validate(): void }
  >;
  const Model = module[object.kind];
  if (!Model) throw new Error(`kubernetes-models has no ${object.apiVersion} ${object.kind}`);
  try {
    new Model(object).validate();
  } catch (error) {
    const details = (error as { errors?: unknown }).errors;
    throw new Error(
      `${object.kind}/${object.metadata.name} does not match the ${object.apiVersion} schema: ${
        error instanceof Error ? error.message : String(error)
      }${details ? ` ${JSON.stringify(details)}` : ''}`,
    );
  }
}

/** Value sets that together reach every branch of the templates. */
export const valueVariants: Record<string, Record<string, unknown>> = {
  defaults: {},
  'separate functions namespace': { functions: { namespace: 'nanofaas-fn', createNamespace: true } },
  'existing API key Secret': { auth: { existingSecret: 'my-keys', existingSecretKey: 'keys' } },
  'open API': { auth: { enabled: false } },
  'no persistence': { persistence: { enabled: false } },
  'existing claim': { persistence: { existingClaim: 'my-data' } },
  'static volume, kept on uninstall': {
    persistence: { storageClass: '-', annotations: { 'helm.sh/resource-policy': 'keep' } },
  },
  'own ServiceAccount and RBAC': {
    serviceAccount: { create: false, name: 'ops-sa' },
    rbac: { create: false },
  },
  'everything optional set': {
    image: { repository: 'registry.example.com/nanofaas/control-plane', tag: '1.2.3', pullPolicy: 'Always' },
    imagePullSecrets: ['regcred'],
    fullnameOverride: 'faas',
    backend: 'pool',
    kubernetes: { callbackUrl: 'http://$(POD_IP):8080/v1/internal/executions' },
    env: { NANOFAAS_RATE_LIMIT_RPS: 500, NANOFAAS_DB_SYNCHRONOUS: 'normal' },
    extraEnv: [
      { name: 'NANOFAAS_WEBHOOK_SECRET', valueFrom: { secretKeyRef: { name: 'hooks', key: 'secret' } } },
    ],
    extraEnvFrom: [{ configMapRef: { name: 'nanofaas-settings' } }],
    service: { type: 'LoadBalancer', port: 80, annotations: { 'example.com/lb': 'internal' } },
    serviceAccount: { annotations: { 'iam.example.com/role': 'nanofaas' } },
    podAnnotations: { 'prometheus.io/scrape': 'true' },
    podLabels: { team: 'platform' },
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'faas', effect: 'NoSchedule' }],
    affinity: { nodeAffinity: {} },
    priorityClassName: 'system-cluster-critical',
    logLevel: 'debug',
  },
};

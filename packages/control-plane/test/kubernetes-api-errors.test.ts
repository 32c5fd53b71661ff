/**
 * Kubernetes API errors become the function's visible state (docs/kubernetes.md, "State, errors
 * and restarts"): the API server's message in its status and a clear invoke error, never a crash
 * or a hang. In memory: a KubeApi that answers as an API server that refuses (403, 422).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { type FunctionStatus, resolveFunctionSpec } from '@nanofaas/contracts';
import pino from 'pino';
import type { KubeApi } from '../src/backends/kubernetes/kube-api.js';
import { KubernetesBackend } from '../src/backends/kubernetes/kubernetes-backend.js';
import { EnvReader } from '../src/config/env-reader.js';
import { loadKubernetesBackendConfig } from '../src/config/kubernetes-backend-config.js';
import { ManualClock } from './fixtures/manual-clock.js';

/** What client-node throws for an API server's refusal (ApiException: code and the Status body). */
function apiError(code: number, message: string): Error {
  return Object.assign(new Error(`HTTP-Code: ${code}`), {
    code,
    body: JSON.stringify({ kind: 'Status', status: 'Failure', message, code }),
  });
}

function refusingApi(refusal: Error): KubeApi {
  return {
    namespace: 'nanofaas',
    apply: () => Promise.reject(refusal),
    create: () => Promise.reject(refusal),
    read: async () => undefined,
    delete: async () => undefined,
    list: async <T extends KubernetesObject>() => [] as T[],
    scaleDeployment: () => Promise.reject(refusal),
    watch: () => () => undefined,
  };
}

async function started(api: KubeApi, states: Array<[string, FunctionStatus]>) {
  const backend = new KubernetesBackend({
    config: loadKubernetesBackendConfig(new EnvReader({})),
    clock: new ManualClock(),
    logger: pino({ level: 'silent' }),
    api,
  });
  await backend.start({ load: { queuedCount: () => 0 }, reportState: (n, s) => states.push([n, s]) });
  return backend;
}

const dispatch = {
  executionId: 'e1',
  attempt: 1,
  traceId: 't',
  requestBody: Buffer.from('{"input":null}'),
  timeoutMs: 60_000,
  signal: new AbortController().signal,
};

describe('kubernetes API errors as function state', () => {
  it('403 (RBAC): registration resolves, the status says failed with the API server message, invoke fails at once', async () => {
    const message =
      'deployments.apps is forbidden: User "system:serviceaccount:nanofaas:cp" cannot patch resource "deployments"';
    const states: Array<[string, FunctionStatus]> = [];
    const backend = await started(refusingApi(apiError(403, message)), states);
    const fn = { spec: resolveFunctionSpec({ name: 'denied', image: 'acme/fn:1' }), revision: 1 };
    await backend.ensureFunction(fn);
    const status = backend.describeFunction('denied');
    assert.equal(status?.state, 'failed');
    assert.match(status?.message ?? '', /403: deployments\.apps is forbidden/);
    assert.deepEqual(states.at(-1)?.[0], 'denied');
    assert.equal(states.at(-1)?.[1].state, 'failed', 'the failure was pushed to the registry');
    const result = await backend.invoke(fn, dispatch);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.code, 'FUNCTION_UNAVAILABLE');
    assert.match(!result.ok ? result.error.message : '', /forbidden/);
    await backend.stop();
  });

  it('422 (invalid) on a REMOTE Job: the attempt fails with the API server message', async () => {
    const backend = await started(
      refusingApi(apiError(422, 'Job.batch "fn-x" is invalid: spec.template…')),
      [],
    );
    const fn = {
      spec: resolveFunctionSpec({ name: 'x', image: 'acme/fn:1', executionMode: 'REMOTE' }),
      revision: 1,
    };
    await backend.ensureFunction(fn);
    const result = await backend.invoke(fn, {
      ...dispatch,
      completion: {
        url: 'http://cp/v1/internal/executions',
        token: 'tok',
        wait: () => new Promise(() => undefined),
      },
    });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.code, 'FUNCTION_UNAVAILABLE');
    assert.match(!result.ok ? result.error.message : '', /422: Job\.batch "fn-x" is invalid/);
    await backend.stop();
  });

  it('an image-less spec is refused before anything is stored, naming the field', async () => {
    const backend = await started(refusingApi(apiError(500, 'unused')), []);
    await assert.rejects(
      backend.ensureFunction({
        spec: resolveFunctionSpec({ name: 'noimage', runtimeCommand: 'cat' }),
        revision: 1,
      }),
      /field "image": is required by the kubernetes backend/,
    );
    await backend.stop();
  });

  it('409: a Deployment fn-<name> not labelled as ours is never applied to or deleted; the function is failed with the reason', async () => {
    const writes: string[] = [];
    const theirs = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fn-taken', uid: 'u1' } };
    const api: KubeApi = {
      ...refusingApi(apiError(500, 'unused')),
      read: async <T extends KubernetesObject>(ref: { kind: string }) =>
        (ref.kind === 'Deployment' ? theirs : undefined) as T | undefined,
      apply: async (object) => {
        writes.push(`apply ${object.kind}`);
        return object;
      },
      delete: async (ref) => {
        writes.push(`delete ${ref.kind}`);
      },
    };
    const backend = await started(api, []);
    const fn = { spec: resolveFunctionSpec({ name: 'taken', image: 'acme/fn:1' }), revision: 1 };
    await backend.ensureFunction(fn);
    const status = backend.describeFunction('taken');
    assert.equal(status?.state, 'failed');
    assert.match(
      status?.message ?? '',
      /409 Conflict: Deployment fn-taken already exists .* not managed by nanofaas/,
    );
    const result = await backend.invoke(fn, dispatch);
    assert.equal(!result.ok && result.error.code, 'FUNCTION_UNAVAILABLE');
    assert.match(!result.ok ? result.error.message : '', /409 Conflict/);
    await backend.removeFunction('taken');
    assert.deepEqual(writes, [], 'nothing written to or deleted of an object not ours');
    await backend.stop();
  });

  it("a Deployment's ReplicaFailure (a quota) fails the waiting invocation with the controller's message", async () => {
    let onDeployment:
      | ((type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubernetesObject) => void)
      | undefined;
    const api: KubeApi = {
      ...refusingApi(apiError(500, 'unused')),
      apply: async (object) => object,
      watch: (collection, _selector, onEvent) => {
        if (collection.kind === 'Deployment') onDeployment = onEvent as typeof onDeployment;
        return () => undefined;
      },
    };
    const backend = await started(api, []);
    const fn = { spec: resolveFunctionSpec({ name: 'full', image: 'acme/fn:1' }), revision: 1 };
    await backend.ensureFunction(fn);
    assert.equal(backend.describeFunction('full')?.state, 'pending');
    const waiting = backend.invoke(fn, dispatch);
    const quota =
      'pods "fn-full-7d9-x" is forbidden: exceeded quota: q, requested: pods=1, used: pods=0, limited: pods=0';
    onDeployment?.('MODIFIED', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'fn-full', labels: { function: 'full' } },
      status: {
        conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: quota }],
      },
    } as KubernetesObject);
    const result = await waiting;
    assert.equal(!result.ok && result.error.code, 'FUNCTION_UNAVAILABLE');
    assert.match(!result.ok ? result.error.message : '', /exceeded quota: q/);
    const status = backend.describeFunction('full');
    assert.equal(status?.state, 'failed');
    assert.match(status?.message ?? '', /FailedCreate: pods "fn-full-7d9-x" is forbidden: exceeded quota/);
    await backend.stop();
  });
});

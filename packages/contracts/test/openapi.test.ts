import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));

it('openapi.yaml is what the contracts generate (run `npm run openapi` after changing them)', () => {
  const result = spawnSync(process.execPath, ['scripts/generate-openapi.mjs', '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
});

it('openapi.yaml documents every route of the control plane with its status codes', () => {
  const document = parse(readFileSync(`${root}/openapi.yaml`, 'utf8'));
  const routes: [string, string, string[]][] = [
    ['/v1/functions', 'post', ['201', '400', '409']],
    ['/v1/functions', 'get', ['200']],
    ['/v1/functions/{name}', 'get', ['200', '404']],
    ['/v1/functions/{name}', 'put', ['200', '400', '404']],
    ['/v1/functions/{name}', 'delete', ['204', '404']],
    ['/v1/functions/{name}:invoke', 'post', ['200', '400', '404', '408', '409', '413', '429', '500', '502']],
    ['/v1/functions/{name}:enqueue', 'post', ['202', '400', '404', '409', '413', '429']],
    ['/v1/functions/{name}/replicas', 'put', ['200', '400', '404']],
    ['/v1/executions', 'get', ['200']],
    ['/v1/executions/{id}', 'get', ['200', '404']],
    ['/v1/functions/{name}/logs', 'get', ['200', '400', '403', '404']],
    ['/v1/executions/{id}/logs', 'get', ['200', '400', '403', '404']],
    ['/v1/internal/executions/{id}:complete', 'post', ['200', '400', '401']],
    ['/healthz', 'get', ['200']],
    ['/readyz', 'get', ['200', '503']],
    ['/metrics', 'get', ['200']],
    ['/openapi.json', 'get', ['200']],
  ];
  for (const [path, method, statuses] of routes) {
    const operation = document.paths?.[path]?.[method];
    assert.ok(operation, `${method.toUpperCase()} ${path} is missing`);
    for (const status of statuses)
      assert.ok(operation.responses[status], `${method} ${path} lacks ${status}`);
  }
  const invokeHeaders = document.paths['/v1/functions/{name}:invoke'].post.parameters.map(
    (parameter: { name: string }) => parameter.name,
  );
  for (const header of ['Idempotency-Key', 'X-Trace-Id', 'traceparent', 'X-Timeout-Ms']) {
    assert.ok(invokeHeaders.includes(header), `invoke does not document ${header}`);
  }
  assert.ok(document.paths['/v1/functions/{name}:invoke'].post.responses['429'].headers['Retry-After']);
  assert.deepEqual(document.components.schemas.FunctionSpec.properties.name.maxLength, 52);
});

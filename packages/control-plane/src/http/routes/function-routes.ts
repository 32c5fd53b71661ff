import { type FunctionResponse, ReplicasRequestValidator, validateFunctionSpec } from '@nanofaas/contracts';
import type { ApiKeyRole } from '../../config/security-config.js';
import type { AppServices } from '../app-services.js';
import { readJsonBody } from '../read-body.js';
import { sendJson } from '../respond.js';
import type { Route } from '../route.js';
import { functionNameParam, validated, validationError } from '../validate-input.js';

function specOf(body: unknown) {
  const result = validateFunctionSpec(body);
  if (!result.ok) throw validationError(result.issues);
  return result.value;
}

/**
 * What a role may read of a function: everything for admin; without `env` for the invoke role, as a
 * function's environment often holds its own credentials (docs/security.md).
 */
function visibleTo(role: ApiKeyRole | undefined, fn: FunctionResponse): FunctionResponse {
  if (role !== 'invoke' || fn.env === undefined) return fn;
  const { env: _hidden, ...rest } = fn;
  return rest;
}

/** Function management: changes need the admin role; the invoke role may read (without env). */
export function functionRoutes(services: AppServices): Route[] {
  const { registry, config } = services;
  const maxBytes = config.server.maxBodyBytes;
  return [
    {
      method: 'POST',
      path: '/v1/functions',
      access: 'admin',
      async handle({ req, res }) {
        const spec = specOf(await readJsonBody(req, maxBytes));
        const created = await registry.register(spec);
        sendJson(res, 201, created, { location: `/v1/functions/${created.name}` });
      },
    },
    {
      method: 'GET',
      path: '/v1/functions',
      access: 'invoke',
      handle({ res, role }) {
        sendJson(res, 200, { items: registry.list().map((fn) => visibleTo(role, fn)) });
      },
    },
    {
      method: 'GET',
      path: '/v1/functions/{name}',
      access: 'invoke',
      handle({ res, params, role }) {
        sendJson(res, 200, visibleTo(role, registry.describe(functionNameParam(params.name!))));
      },
    },
    {
      method: 'PUT',
      path: '/v1/functions/{name}',
      access: 'admin',
      async handle({ req, res, params }) {
        const name = functionNameParam(params.name!);
        const spec = specOf(await readJsonBody(req, maxBytes));
        sendJson(res, 200, await registry.update(name, spec));
      },
    },
    {
      method: 'DELETE',
      path: '/v1/functions/{name}',
      access: 'admin',
      async handle({ res, params }) {
        await registry.delete(functionNameParam(params.name!));
        res.writeHead(204).end();
      },
    },
    {
      method: 'PUT',
      path: '/v1/functions/{name}/replicas',
      access: 'admin',
      async handle({ req, res, params }) {
        const name = functionNameParam(params.name!);
        const { replicas } = validated(ReplicasRequestValidator, await readJsonBody(req, maxBytes));
        sendJson(res, 200, await registry.setReplicas(name, replicas));
      },
    },
  ];
}

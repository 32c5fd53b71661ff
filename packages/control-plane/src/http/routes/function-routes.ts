import { ReplicasRequestValidator, validateFunctionSpec } from '@nanofaas/contracts';
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

/** Function management: admin only when API keys are configured. */
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
      access: 'admin',
      handle({ res }) {
        sendJson(res, 200, { items: registry.list() });
      },
    },
    {
      method: 'GET',
      path: '/v1/functions/{name}',
      access: 'admin',
      handle({ res, params }) {
        sendJson(res, 200, registry.describe(functionNameParam(params.name!)));
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

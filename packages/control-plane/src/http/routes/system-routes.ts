import { buildOpenApiDocument } from '@nanofaas/contracts';
import type { AppServices } from '../app-services.js';
import { sendJson, sendText } from '../respond.js';
import type { Route } from '../route.js';

const VERSION = '0.1.0';

/** Health, readiness, metrics and the API document: no API key needed (they carry no user data). */
export function systemRoutes(services: AppServices): Route[] {
  let openApi: string | undefined;
  return [
    {
      method: 'GET',
      path: '/healthz',
      duringShutdown: true,
      access: 'public',
      handle({ res }) {
        sendJson(res, 200, { status: 'ok' });
      },
    },
    {
      method: 'GET',
      path: '/readyz',
      duringShutdown: true,
      access: 'public',
      handle({ res }) {
        const ready = services.isReady();
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not-ready' });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      duringShutdown: true,
      access: 'public',
      handle({ res }) {
        sendText(res, 200, services.metrics.registry.render(), 'text/plain; version=0.0.4; charset=utf-8');
      },
    },
    {
      method: 'GET',
      path: '/openapi.json',
      duringShutdown: true,
      access: 'public',
      handle({ res }) {
        openApi ??= JSON.stringify(buildOpenApiDocument(VERSION));
        sendText(res, 200, openApi, 'application/json; charset=utf-8');
      },
    },
  ];
}

import type { WhoAmI } from '@nanofaas/contracts';
import type { AppServices } from '../app-services.js';
import { sendJson } from '../respond.js';
import type { Route } from '../route.js';

/**
 * GET /v1/whoami: the role of the caller's key, so a client (the dashboard) shows only what that
 * role may do. With NANOFAAS_AUTH=off every caller acts as admin.
 */
export function whoAmIRoutes(services: AppServices): Route[] {
  const authOff = services.config.security.auth === 'off';
  return [
    {
      method: 'GET',
      path: '/v1/whoami',
      access: 'invoke',
      handle({ res, role }) {
        const body: WhoAmI = authOff ? { role: 'admin', auth: 'off' } : { role: role ?? 'admin', auth: 'on' };
        sendJson(res, 200, body, { 'cache-control': 'no-store' });
      },
    },
  ];
}

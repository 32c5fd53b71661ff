import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlatformError } from '@nanofaas/contracts';
import type { DashboardFile, DashboardFiles } from '../../dashboard/dashboard-files.js';
import type { Route } from '../route.js';

/**
 * The dashboard's Content-Security-Policy: only its own scripts, styles and API; no inline script or
 * style, no eval, no framing (docs/security.md, "The dashboard").
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * GET /ui (redirect), /ui/ (index.html, revalidated every time) and /ui/assets/{file} (content-hashed
 * names, cached for a year). Public: the files hold no data; the app asks for an API key.
 */
export function dashboardRoutes(files: DashboardFiles): Route[] {
  return [
    {
      method: 'GET',
      path: '/ui',
      access: 'public',
      handle({ res }) {
        res.writeHead(308, { location: '/ui/', 'content-length': '0' }).end();
      },
    },
    {
      method: 'GET',
      path: '/ui/',
      access: 'public',
      handle({ req, res }) {
        const index = files.index();
        if (typeof index === 'string') throw new PlatformError('ROUTE_NOT_FOUND', index);
        sendFile(req, res, index, 'no-cache');
      },
    },
    {
      method: 'GET',
      path: '/ui/assets/{file}',
      access: 'public',
      handle({ req, res, params }) {
        const file = files.asset(params.file!);
        if (file === undefined)
          throw new PlatformError('ROUTE_NOT_FOUND', `no dashboard asset "${params.file}"`);
        sendFile(req, res, file, 'public, max-age=31536000, immutable');
      },
    },
  ];
}

function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: DashboardFile,
  cacheControl: string,
): void {
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'content-type': file.contentType,
    'cache-control': cacheControl,
    etag: file.etag,
    vary: 'accept-encoding',
  };
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const gzip = file.gzipped !== undefined && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  const body = gzip ? file.gzipped! : file.body;
  if (gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = String(body.length);
  res.writeHead(200, headers).end(body);
}

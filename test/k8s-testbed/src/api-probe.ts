import { request } from 'node:https';

export interface ApiProbeOptions {
  ca: Buffer;
  token: string;
  timeoutMs?: number;
}

/** GET on the API server with the admin token; resolves with status and body (never throws on 4xx/5xx). */
export function apiGet(url: string, options: ApiProbeOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        ca: options.ca,
        headers: { authorization: `Bearer ${options.token}` },
        timeout: options.timeoutMs ?? 5000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

import { type IncomingHttpHeaders, request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
  json(): unknown;
}

export interface HttpRequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string | number>;
  readonly body?: string | Buffer;
  /** Send the body in several chunks without a Content-Length (chunked encoding). */
  readonly chunks?: readonly Buffer[];
}

/** A plain HTTP/1.1 request on a fresh connection; resolves with the whole answer. */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: false,
    });
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body,
          text,
          json: () => JSON.parse(text),
        });
      });
      response.on('error', reject);
    });
    // The server may answer (413) and close before it has read everything we send.
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    if (options.chunks !== undefined) {
      for (const chunk of options.chunks) outgoing.write(chunk);
      outgoing.end();
    } else {
      outgoing.end(options.body);
    }
  });
}

/** POST a text as is to /invoke with Content-Type application/json. */
export function invokeRaw(
  baseUrl: string,
  text: string,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return httpRequest(`${baseUrl}/invoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: text,
  });
}

/** POST a value, serialised as JSON, to /invoke. */
export function invoke(
  baseUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return invokeRaw(baseUrl, JSON.stringify(body), headers);
}

/** Polls GET {url}/health until it answers 200, or fails after `timeoutMs`. */
export async function waitUntilHealthy(
  url: string,
  timeoutMs: number,
  gaveUp: () => string | undefined,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const reason = gaveUp();
    if (reason !== undefined) throw new Error(reason);
    const health = await httpRequest(`${url}/health`).catch(() => undefined);
    if (health?.status === 200) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${url}/health did not answer 200 within ${timeoutMs} ms`);
}

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

/** POST a value, serialised as JSON, to /invoke. */
export function invoke(
  baseUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return invokeRaw(baseUrl, JSON.stringify(body), headers);
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

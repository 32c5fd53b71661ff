/**
 * The one function HTTP client against a real HTTP server on loopback: every kind of answer is
 * classified once, and a success keeps the function's bytes.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Dispatch } from '../src/backends/backend.js';
import { type FunctionAnswer, FunctionHttpClient } from '../src/backends/function-http-client.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

const answers: Record<string, Handler> = {
  '/numbers': (_req, res) => res.writeHead(201).end('{"a":7.0,"b":12345678901234567890,"c":1e400,"d":-0.0}'),
  '/echo': (_req, res, body) => res.writeHead(200, { 'x-cold-start': 'true' }).end(body),
  '/init': (req, res) => {
    const given = new URL(req.url ?? '', 'http://x').searchParams.get('give') ?? '';
    res.writeHead(200, { 'x-cold-start': 'true', 'x-init-duration-ms': given }).end('1');
  },
  '/empty': (_req, res) => res.writeHead(204).end(),
  '/not-json': (_req, res) => res.writeHead(200).end('<html>'),
  '/bad-utf8': (_req, res) => res.writeHead(200).end(Buffer.from([0x22, 0xc3, 0x28, 0x22])),
  '/deep': (_req, res) => res.writeHead(200).end(`${'['.repeat(1500)}${']'.repeat(1500)}`),
  '/own-error': (_req, res) =>
    res
      .writeHead(500)
      .end('{"error":{"code":"OUT_OF_STOCK","message":"none left","retryable":true,"x":[1]}}'),
  '/platform-error': (_req, res) =>
    res.writeHead(503).end('{"error":{"code":"NOT_READY","message":"draining"}}'),
  '/bare-503': (_req, res) => res.writeHead(503).end(),
  '/bare-500': (_req, res) => res.writeHead(500).end('oops'),
  '/bare-504': (_req, res) => res.writeHead(504).end(),
  '/big': (_req, res) => res.writeHead(200).end(`"${'x'.repeat(10_000)}"`),
  '/large-declared': (_req, res) =>
    writeInPieces(res.writeHead(200, { 'content-length': LARGE_JSON.length })),
  '/large-chunked': (_req, res) => writeInPieces(res.writeHead(200)),
  '/slow': (_req, res) => setTimeout(() => res.writeHead(200).end('1'), 2_000).unref(),
};

/** A 1 MiB JSON answer with varied bytes (a string of numbers and multi-byte characters). */
const LARGE = Buffer.from(
  `[${Array.from({ length: 60_000 }, (_, i) => `"${i.toString(36)}é€"`).join(',')}]`.slice(0, 1_048_575),
);
const LARGE_JSON = Buffer.concat([LARGE.subarray(0, LARGE.lastIndexOf(',')), Buffer.from(']')]);

/** Writes LARGE_JSON in uneven pieces, so it arrives over many reads. */
function writeInPieces(res: ServerResponse): void {
  let offset = 0;
  const next = (): void => {
    if (offset >= LARGE_JSON.length) {
      res.end();
      return;
    }
    const piece = LARGE_JSON.subarray(offset, offset + 7_919 + (offset % 50_000));
    offset += piece.length;
    res.write(piece, next);
  };
  next();
}

function dispatchOf(timeoutMs = 5_000): Dispatch {
  return {
    executionId: 'exec-1',
    attempt: 2,
    traceId: `${'0'.repeat(31)}1`,
    requestBody: Buffer.from('{"input":null}'),
    timeoutMs,
    signal: new AbortController().signal,
  };
}

describe('FunctionHttpClient', () => {
  let server: Server;
  let origin: string;
  const clients: FunctionHttpClient[] = [];
  const call = async (path: string, body = '{"input":1}', timeoutMs = 5_000): Promise<FunctionAnswer> => {
    const client = new FunctionHttpClient(new URL(`${origin}${path}`), {
      maxConnections: 4,
      maxOutputBytes: 4096,
    });
    clients.push(client);
    return client.invoke(dispatchOf(timeoutMs), Buffer.from(body));
  };
  const errorOf = (answer: FunctionAnswer) => {
    assert.equal(answer.ok, false);
    return (answer as Extract<FunctionAnswer, { ok: false }>).error;
  };

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => answers[(req.url ?? '').split('?')[0]!]!(req, res, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('takes any 2xx as success and keeps the bytes the function wrote', async () => {
    const answer = await call('/numbers');
    assert.equal(answer.ok, true);
    assert.equal(
      (answer as { output: Buffer }).output.toString(),
      '{"a":7.0,"b":12345678901234567890,"c":1e400,"d":-0.0}',
    );
  });

  it('sends the body as given and reads X-Cold-Start', async () => {
    const body = '{"input":{"s":"\\ud800","n":1e-400}}';
    const answer = await call('/echo', body);
    assert.deepEqual(
      [answer.ok, (answer as { output: Buffer }).output.toString(), answer.coldStart],
      [true, body, true],
    );
  });

  it("reads the runtime's X-Init-Duration-Ms on a cold start and ignores one that is not a duration", async () => {
    const initOf = async (given: string) => {
      const url = new URL(`${origin}/init?give=${encodeURIComponent(given)}`);
      const client = new FunctionHttpClient(url, { maxConnections: 1, maxOutputBytes: 64 });
      clients.push(client);
      return (await client.invoke(dispatchOf(), Buffer.from('{"input":1}'))).initDurationMs;
    };
    assert.equal(await initOf('412'), 412);
    for (const hostile of ['-1', '1.5', '1e3', '0x10', '99999999999', 'abc']) {
      assert.equal(await initOf(hostile), undefined, hostile);
    }
  });

  it('reads an empty 2xx body as null output', async () => {
    const answer = await call('/empty');
    assert.equal((answer as { output: Buffer }).output.toString(), 'null');
  });

  it('refuses a success body that is not JSON, not UTF-8 or too deep with INVALID_OUTPUT', async () => {
    for (const path of ['/not-json', '/bad-utf8', '/deep']) {
      const error = errorOf(await call(path));
      assert.equal(error.code, 'INVALID_OUTPUT', path);
      assert.equal(error.origin, 'function');
    }
  });

  it("passes a function's own error code through, keeping only ErrorInfo's fields", async () => {
    const error = errorOf(await call('/own-error'));
    assert.deepEqual(error, {
      code: 'OUT_OF_STOCK',
      message: 'none left',
      origin: 'function',
      retryable: true,
    });
  });

  it('fills origin and retryable of a platform code from the catalogue', async () => {
    const error = errorOf(await call('/platform-error'));
    assert.deepEqual(error, { code: 'NOT_READY', message: 'draining', origin: 'platform', retryable: true });
  });

  it('classifies an answer without an error body by its status', async () => {
    assert.equal(errorOf(await call('/bare-503')).code, 'BACKEND_UNREACHABLE');
    assert.equal(errorOf(await call('/bare-500')).code, 'FUNCTION_ERROR');
    assert.equal(errorOf(await call('/bare-504')).code, 'TIMEOUT');
  });

  it('keeps a large answer byte for byte, with and without Content-Length', async () => {
    for (const path of ['/large-declared', '/large-chunked']) {
      const client = new FunctionHttpClient(new URL(`${origin}${path}`), {
        maxConnections: 1,
        maxOutputBytes: 2 * 1024 * 1024,
      });
      clients.push(client);
      const answer = await client.invoke(dispatchOf(), Buffer.from('{"input":1}'));
      assert.equal(answer.ok, true, path);
      assert.ok((answer as { output: Buffer }).output.equals(LARGE_JSON), path);
    }
  });

  it('cuts an answer over the cap with OUTPUT_TOO_LARGE', async () => {
    assert.equal(errorOf(await call('/big')).code, 'OUTPUT_TOO_LARGE');
  });

  it('ends a request past its timeout with TIMEOUT', async () => {
    const error = errorOf(await call('/slow', '{"input":1}', 200));
    assert.equal(error.code, 'TIMEOUT');
  });

  it('says a refused connection was not delivered', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const client = new FunctionHttpClient(new URL(`http://127.0.0.1:${port}/invoke`), {
      maxConnections: 1,
      maxOutputBytes: 1024,
    });
    clients.push(client);
    const answer = await client.invoke(dispatchOf(), Buffer.from('{"input":1}'));
    assert.equal(errorOf(answer).code, 'BACKEND_UNREACHABLE');
    assert.equal((answer as { notDelivered?: boolean }).notDelivered, true);
  });
});

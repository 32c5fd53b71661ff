import { describe, expect, it } from 'vitest';
import { ApiClient, type FetchFunction } from '../src/api/api-client.js';
import { ApiError } from '../src/api/api-error.js';

/** A fetch that records what it was asked and answers one fixed response. */
function answering(status: number, body: string, headers: Record<string, string> = {}) {
  const seen: Array<{ input: string; init: RequestInit | undefined }> = [];
  const fetchFn: FetchFunction = async (input, init) => {
    seen.push({ input, init });
    return new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });
  };
  return { seen, fetchFn };
}

describe('ApiClient', () => {
  it('sends the key as a Bearer token', async () => {
    const { seen, fetchFn } = answering(200, '{"role":"invoke","auth":"on"}');
    expect(await new ApiClient('k'.repeat(20), fetchFn).whoAmI()).toEqual({ role: 'invoke', auth: 'on' });
    expect(new Headers(seen[0]!.init!.headers).get('authorization')).toBe(`Bearer ${'k'.repeat(20)}`);
  });

  it('turns an error body into an ApiError with its code and origin', async () => {
    const { fetchFn } = answering(
      403,
      '{"error":{"code":"FORBIDDEN","message":"needs admin","origin":"client"}}',
      {
        'x-error-origin': 'client',
      },
    );
    const failure = await new ApiClient('key', fetchFn).deleteFunction('x').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).info.code).toBe('FORBIDDEN');
    expect((failure as ApiError).origin).toBe('client');
  });

  it('sends the invocation input byte for byte', async () => {
    const { seen, fetchFn } = answering(200, '{"executionId":"e","status":"success","output":1}', {
      'x-execution-id': 'e',
    });
    const answer = await new ApiClient(undefined, fetchFn).invoke(
      'word-stats',
      '{"n": 7.0, "big": 12345678901234567890}',
    );
    expect(seen[0]!.init!.body).toBe('{"input":{"n": 7.0, "big": 12345678901234567890}}');
    expect(answer.executionId).toBe('e');
  });

  it('builds the executions query from the filter, leaving out empty fields', async () => {
    const { seen, fetchFn } = answering(200, '{"items":[]}');
    await new ApiClient(undefined, fetchFn).executions({ function: 'a', status: '', since: '5m', limit: 25 });
    expect(seen[0]!.input).toBe('/v1/executions?function=a&since=5m&limit=25');
  });
});

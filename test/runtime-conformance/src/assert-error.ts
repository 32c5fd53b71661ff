import assert from 'node:assert/strict';
import { ErrorCatalogue, type PlatformErrorCode } from '@nanofaas/contracts';

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly origin?: string;
    readonly retryable?: boolean;
    readonly details?: unknown;
    readonly issues?: readonly { field: string; rule: string; message?: string }[];
  };
}

/**
 * Checks an error body against the contracts' error catalogue: the code, and the origin and
 * retryability the catalogue gives it. With `status`, the HTTP status too.
 */
export function assertCatalogueError(text: string, code: PlatformErrorCode, status?: number): ErrorBody {
  const body = JSON.parse(text) as ErrorBody;
  const definition = ErrorCatalogue[code];
  assert.equal(body.error.code, code, text);
  assert.equal(typeof body.error.message, 'string', text);
  assert.ok(body.error.message.length > 0, text);
  assert.equal(body.error.origin, definition.origin, `${code}: origin (${text})`);
  assert.equal(body.error.retryable, definition.retryable, `${code}: retryable (${text})`);
  if (status !== undefined) assert.equal(status, definition.status, `${code}: HTTP status (${text})`);
  return body;
}

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ErrorCatalogue, httpStatusOf, isRetryable, PlatformError } from '../src/index.js';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

/** Rows of the catalogue table in docs/errors.md: | `CODE` | status | origin | retryable | description | */
function documentedRows(): Map<string, { status: number; origin: string; retryable: boolean }> {
  const rows = new Map<string, { status: number; origin: string; retryable: boolean }>();
  for (const line of docs.split('\n')) {
    const match = /^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|\s*(\w+)\s*\|\s*(yes|no)\s*\|/.exec(line);
    if (match)
      rows.set(match[1]!, { status: Number(match[2]), origin: match[3]!, retryable: match[4] === 'yes' });
  }
  return rows;
}

describe('error catalogue', () => {
  it('docs/errors.md lists exactly the catalogue, with the same status, origin and retryability', () => {
    const rows = documentedRows();
    assert.deepEqual([...rows.keys()].sort(), Object.keys(ErrorCatalogue).sort());
    for (const [code, definition] of Object.entries(ErrorCatalogue)) {
      assert.deepEqual(rows.get(code), {
        status: definition.status,
        origin: definition.origin,
        retryable: definition.retryable,
      });
    }
  });

  it('maps a function’s own code to 500 and honours its retryable flag', () => {
    assert.equal(httpStatusOf({ code: 'CARD_DECLINED' }), 500);
    assert.equal(isRetryable({ code: 'CARD_DECLINED' }), false);
    assert.equal(isRetryable({ code: 'CARD_DECLINED', retryable: true }), true);
  });

  it('keeps platform retryability out of the caller’s hands', () => {
    assert.equal(isRetryable({ code: 'BACKEND_UNREACHABLE', retryable: false }), true);
    assert.equal(isRetryable({ code: 'SPAWN_FAILED', retryable: true }), false);
    assert.equal(isRetryable({ code: 'TIMEOUT' }), true);
  });

  it('PlatformError carries status and a complete ErrorInfo', () => {
    const error = new PlatformError('QUEUE_FULL', 'queue of "f" is full');
    assert.equal(error.status, 429);
    assert.deepEqual(error.info, {
      code: 'QUEUE_FULL',
      message: 'queue of "f" is full',
      origin: 'platform',
      retryable: true,
    });
  });
});

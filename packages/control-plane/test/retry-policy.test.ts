import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorInfo } from '@nanofaas/contracts';
import { retryDelayMs, shouldRetry } from '../src/scheduler/retry-policy.js';

describe('retry policy', () => {
  it('retries platform failures and timeouts, not plain function errors, up to maxRetries', () => {
    const unreachable = errorInfo('BACKEND_UNREACHABLE', 'down');
    assert.equal(shouldRetry(unreachable, 1, 3), true);
    assert.equal(shouldRetry(unreachable, 3, 3), true, 'the third retry is the fourth attempt');
    assert.equal(shouldRetry(unreachable, 4, 3), false);
    assert.equal(shouldRetry(errorInfo('TIMEOUT', 'slow'), 1, 1), true);
    assert.equal(shouldRetry(errorInfo('SPAWN_FAILED', 'no binary'), 1, 3), false);
    assert.equal(shouldRetry({ code: 'CARD_DECLINED', message: 'no', origin: 'function' }, 1, 3), false);
    assert.equal(
      shouldRetry({ code: 'FLAKY', message: 'again', origin: 'function', retryable: true }, 1, 3),
      true,
    );
    assert.equal(shouldRetry(unreachable, 1, 0), false, 'maxRetries 0 never retries');
  });

  it('backs off exponentially with jitter between half and all of the delay, capped', () => {
    const options = (random: number) => ({ baseMs: 100, maxMs: 1000, random: () => random });
    assert.equal(retryDelayMs(1, options(0)), 50);
    assert.equal(retryDelayMs(1, options(0.999)), 100);
    assert.equal(retryDelayMs(3, options(0)), 200);
    assert.equal(retryDelayMs(3, options(0.999)), 400);
    assert.equal(retryDelayMs(10, options(0.999)), 1000, 'capped at maxMs');
  });
});

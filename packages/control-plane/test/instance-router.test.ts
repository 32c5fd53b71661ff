import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorInfo } from '@nanofaas/contracts';
import type { Dispatch } from '../src/backends/backend.js';
import { InstanceRouter, type RoutableInstance } from '../src/backends/instance-router.js';
import { ManualClock } from './fixtures/manual-clock.js';

interface Pod extends RoutableInstance {
  readonly name: string;
  ready: boolean;
  revision: number;
}

function pod(name: string, revision = 1): Pod {
  return { name, inFlight: 0, ready: true, revision };
}

function dispatch(timeoutMs: number, signal = new AbortController().signal): Dispatch {
  return {
    executionId: 'e',
    attempt: 1,
    traceId: 't',
    requestBody: Buffer.from('{"input":null}'),
    timeoutMs,
    signal,
  };
}

function router(pods: Pod[], clock: ManualClock, limit = 2, revision = 1) {
  return new InstanceRouter<Pod>({
    clock,
    candidates: () => pods.filter((p) => p.ready),
    limit: () => limit,
    preferred: (p) => p.revision === revision,
  });
}

const late = () => errorInfo('TIMEOUT', 'no room', { origin: 'platform' });

describe('InstanceRouter (in memory, injected clock)', () => {
  it('sends each request to the least-loaded instance and never above the limit', () => {
    const clock = new ManualClock();
    const pods = [pod('a'), pod('b')];
    const r = router(pods, clock, 2);
    const picked = [r.tryAcquire(), r.tryAcquire(), r.tryAcquire(), r.tryAcquire(), r.tryAcquire()];
    assert.deepEqual(
      picked.map((p) => p?.name),
      ['a', 'b', 'a', 'b', undefined],
    );
    assert.deepEqual(
      pods.map((p) => p.inFlight),
      [2, 2],
    );
  });

  it('prefers the current revision while an older one still serves', () => {
    const clock = new ManualClock();
    const pods = [pod('old', 1), pod('new', 2)];
    pods[1]!.inFlight = 1;
    const r = router(pods, clock, 4, 2);
    assert.equal(r.tryAcquire()?.name, 'new');
  });

  it('queues requests beyond capacity, first come first served, and hands a released slot on', async () => {
    const clock = new ManualClock();
    const pods = [pod('a')];
    const r = router(pods, clock, 1);
    const first = r.tryAcquire();
    assert.equal(first?.name, 'a');
    const order: string[] = [];
    const w1 = r.wait(dispatch(1000), late).then((x) => order.push(`w1:${x.ok}`));
    const w2 = r.wait(dispatch(1000), late).then((x) => order.push(`w2:${x.ok}`));
    assert.equal(r.waiting, 2);
    r.release(pods[0]!);
    await w1;
    assert.deepEqual(order, ['w1:true']);
    assert.equal(pods[0]!.inFlight, 1, 'the slot moved to the first waiter');
    r.release(pods[0]!);
    await w2;
    assert.deepEqual(order, ['w1:true', 'w2:true']);
  });

  it("ends a wait with the caller's error once its timeout passes on the clock", async () => {
    const clock = new ManualClock();
    const r = router([], clock);
    const waited = r.wait(dispatch(500), late);
    clock.advance(499);
    assert.equal(r.waiting, 1);
    clock.advance(1);
    const result = await waited;
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.code, 'TIMEOUT');
    assert.equal(r.waiting, 0);
    assert.equal(clock.pending, 0, 'no timer left behind');
  });

  it('ends a wait when its signal aborts, and fails every waiter at once on failAll', async () => {
    const clock = new ManualClock();
    const r = router([], clock);
    const controller = new AbortController();
    const aborted = r.wait(dispatch(10_000, controller.signal), late);
    const failed = r.wait(dispatch(10_000), late);
    controller.abort(new Error('caller gave up'));
    const a = await aborted;
    assert.equal(a.ok, false);
    assert.match(!a.ok ? a.error.message : '', /caller gave up/);
    r.failAll(errorInfo('FUNCTION_DELETED', 'gone'));
    const f = await failed;
    assert.equal(!f.ok && f.error.code, 'FUNCTION_DELETED');
    assert.equal(clock.pending, 0);
  });

  it('serves waiters when an instance becomes ready', async () => {
    const clock = new ManualClock();
    const pods = [{ ...pod('a'), ready: false }];
    const r = router(pods, clock, 1);
    const waited = r.wait(dispatch(1000), late);
    pods[0]!.ready = true;
    r.serve();
    const result = await waited;
    assert.equal(result.ok && result.value.name, 'a');
  });
});

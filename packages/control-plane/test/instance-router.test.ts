import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorInfo } from '@nanofaas/contracts';
import { InstanceRouter, type RoutableInstance } from '../src/backends/instance-router.js';
import { nullDispatch } from './fixtures/dispatch.js';
import { ManualClock } from './fixtures/manual-clock.js';

interface Pod extends RoutableInstance {
  readonly name: string;
  ready: boolean;
  revision: number;
}

function pod(name: string, revision = 1): Pod {
  return { name, inFlight: 0, ready: true, revision };
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
    const w1 = r.wait(nullDispatch(1000), late).then((x) => order.push(`w1:${x.ok}`));
    const w2 = r.wait(nullDispatch(1000), late).then((x) => order.push(`w2:${x.ok}`));
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
    const waited = r.wait(nullDispatch(500), late);
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
    const aborted = r.wait(nullDispatch(10_000, controller.signal), late);
    const failed = r.wait(nullDispatch(10_000), late);
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
    const waited = r.wait(nullDispatch(1000), late);
    pods[0]!.ready = true;
    r.serve();
    const result = await waited;
    assert.equal(result.ok && result.value.name, 'a');
  });

  it('spreads load over several instances and keeps each one at or under its limit as requests come and go', async () => {
    const clock = new ManualClock();
    const pods = [pod('a'), pod('b'), pod('c')];
    const r = router(pods, clock, 2);
    const held = [];
    for (let i = 0; i < 6; i++) held.push(r.tryAcquire());
    assert.deepEqual(
      pods.map((p) => p.inFlight),
      [2, 2, 2],
    );
    assert.equal(r.tryAcquire(), undefined, 'all full');
    const waited = r.acquire(nullDispatch(1000), late);
    assert.equal(r.waiting, 1);
    r.release(pods[1]!);
    const result = await waited;
    assert.equal(result.ok && result.value.name, 'b', 'the freed slot of b goes to the waiter');
    assert.ok(pods.every((p) => p.inFlight <= 2));
    // Releasing where nobody waits leaves the slot free for the next request.
    r.release(pods[0]!);
    assert.equal(r.tryAcquire()?.name, 'a');
  });

  it('takes a free slot at once without waiting, and says whether the request had to wait for a start', async () => {
    const clock = new ManualClock();
    const pods = [{ ...pod('a'), ready: false }];
    const readyAt = new Map<Pod, number>();
    const r = new InstanceRouter<Pod>({
      clock,
      candidates: () => pods.filter((p) => p.ready),
      limit: () => 1,
      coldStart: (p, arrivedAt) => (readyAt.get(p) ?? 0) >= arrivedAt,
    });
    const cold = r.acquire(nullDispatch(5000), late);
    clock.advance(800); // the instance starts meanwhile
    pods[0]!.ready = true;
    readyAt.set(pods[0]!, clock.now());
    r.serve();
    const first = await cold;
    assert.equal(first.ok && first.coldStart, true, 'it waited for the instance to start');
    r.release(pods[0]!);
    const warm = await r.acquire(nullDispatch(5000), late);
    assert.equal(warm.ok && warm.coldStart, false, 'a ready instance with room is no cold start');
    assert.equal(clock.pending, 0);
  });

  it('never hands a waiter an instance that is no longer a candidate (stopped, draining)', async () => {
    const clock = new ManualClock();
    const pods = [pod('old'), pod('new')];
    const r = router(pods, clock, 1);
    r.tryAcquire();
    r.tryAcquire();
    const waited = r.wait(nullDispatch(1000), late);
    pods[0]!.ready = false; // old drains: its slot frees, but it takes no more requests
    r.release(pods[0]!);
    assert.equal(r.waiting, 1);
    r.release(pods[1]!);
    const result = await waited;
    assert.equal(result.ok && result.value.name, 'new');
  });

  it('answers a request whose signal is already aborted at once, without queueing it', async () => {
    const clock = new ManualClock();
    const r = router([], clock);
    const controller = new AbortController();
    controller.abort(new Error('cancelled before dispatch'));
    const result = await r.acquire(nullDispatch(1000, controller.signal), late);
    assert.equal(result.ok, false);
    assert.equal(r.waiting, 0);
    assert.equal(clock.pending, 0);
  });

  it('follows a limit that changes (a function update) for the next request', () => {
    const clock = new ManualClock();
    const pods = [pod('a')];
    let limit = 1;
    const r = new InstanceRouter<Pod>({ clock, candidates: () => pods, limit: () => limit });
    assert.equal(r.tryAcquire()?.name, 'a');
    assert.equal(r.tryAcquire(), undefined);
    limit = 3;
    assert.equal(r.tryAcquire()?.name, 'a');
    assert.equal(r.tryAcquire()?.name, 'a');
    assert.equal(r.tryAcquire(), undefined);
    assert.equal(pods[0]!.inFlight, 3);
  });
});

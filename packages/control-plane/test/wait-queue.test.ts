import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorInfo } from '@nanofaas/contracts';
import { type Acquired, WaitQueue } from '../src/backends/wait-queue.js';
import { nullDispatch } from './fixtures/dispatch.js';
import { ManualClock } from './fixtures/manual-clock.js';

const noRoom = () => errorInfo('TIMEOUT', 'no replica had room', { origin: 'platform' });

/** What each waiter got, by name, in the order the answers came. */
function recorder() {
  const answers: string[] = [];
  const track = (name: string, waited: Promise<Acquired<string>>) =>
    waited.then((result) => {
      answers.push(result.ok ? `${name}=${result.value}` : `${name}:${result.error.code}`);
      return result;
    });
  return { answers, track };
}

describe('WaitQueue (in memory, injected clock)', () => {
  it('hands values to waiters first come, first served, for as long as there are values', async () => {
    const clock = new ManualClock();
    const queue = new WaitQueue<string>(clock);
    const { answers, track } = recorder();
    const waits = ['a', 'b', 'c'].map((name) => track(name, queue.wait(nullDispatch(1000), noRoom)));
    const free = ['slot-1', 'slot-2'];
    queue.serve(() => {
      const value = free.shift();
      return value === undefined ? undefined : { value, coldStart: false };
    });
    await Promise.all(waits.slice(0, 2));
    assert.deepEqual(answers, ['a=slot-1', 'b=slot-2']);
    assert.equal(queue.length, 1, 'c still waits: nothing was left to hand out');
    queue.serve(() => ({ value: 'slot-3', coldStart: false }));
    await waits[2];
    assert.deepEqual(answers, ['a=slot-1', 'b=slot-2', 'c=slot-3']);
    assert.equal(clock.pending, 0, 'served waits leave no timer behind');
  });

  it("tells the server when each waiter arrived (a cold start is one that waited for the replica's start)", async () => {
    const clock = new ManualClock();
    const queue = new WaitQueue<string>(clock);
    const early = queue.wait(nullDispatch(10_000), noRoom);
    clock.advance(300);
    const late = queue.wait(nullDispatch(10_000), noRoom);
    const readyAt = clock.now() - 100;
    queue.serve((arrivedAt) => ({ value: 'r', coldStart: arrivedAt <= readyAt }));
    const [first, second] = await Promise.all([early, late]);
    assert.equal(first.ok && first.coldStart, true);
    assert.equal(second.ok && second.coldStart, false);
  });

  it("ends a wait with the caller's own timeout error once its timeout passes on the clock", async () => {
    const clock = new ManualClock();
    const queue = new WaitQueue<string>(clock);
    const { answers, track } = recorder();
    const short = track('short', queue.wait(nullDispatch(100), noRoom));
    const long = track('long', queue.wait(nullDispatch(1000), noRoom));
    clock.advance(99);
    assert.equal(queue.length, 2);
    clock.advance(1);
    await short;
    assert.deepEqual(answers, ['short:TIMEOUT']);
    queue.serve(() => ({ value: 'x', coldStart: false }));
    await long;
    assert.deepEqual(answers, ['short:TIMEOUT', 'long=x'], 'the timed-out waiter is not served');
    assert.equal(clock.pending, 0);
  });

  it('ends a wait when its signal aborts, with the reason', async () => {
    const clock = new ManualClock();
    const queue = new WaitQueue<string>(clock);
    const controller = new AbortController();
    const waited = queue.wait(nullDispatch(10_000, controller.signal), noRoom);
    controller.abort(new Error('the caller went away'));
    const result = await waited;
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.error.message : '', /the caller went away/);
    assert.equal(queue.length, 0);
    assert.equal(clock.pending, 0);
  });

  it('fails every waiter with one error (crash loop, delete, shutdown), and serves later ones', async () => {
    const clock = new ManualClock();
    const queue = new WaitQueue<string>(clock);
    const { answers, track } = recorder();
    const waits = ['a', 'b'].map((name) => track(name, queue.wait(nullDispatch(1000), noRoom)));
    queue.failAll(errorInfo('FUNCTION_UNAVAILABLE', 'crash loop'));
    await Promise.all(waits);
    assert.deepEqual(answers, ['a:FUNCTION_UNAVAILABLE', 'b:FUNCTION_UNAVAILABLE']);
    assert.equal(clock.pending, 0);
    const later = track('c', queue.wait(nullDispatch(1000), noRoom));
    queue.serve(() => ({ value: 'new', coldStart: false }));
    await later;
    assert.deepEqual(answers.at(-1), 'c=new');
  });
});

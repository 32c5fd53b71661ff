import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { EXECUTION_STATES, errorInfo, isTerminalState } from '@nanofaas/contracts';
import { canMove } from '../src/executions/execution-transitions.js';
import { createSchedulerKit } from './fixtures/scheduler-kit.js';

const success = (text: string) => ({ status: 'success' as const, output: Buffer.from(text) });

describe('execution state machine (ExecutionTracker, in memory, injected clock)', () => {
  let kit: ReturnType<typeof createSchedulerKit>;
  afterEach(() => kit?.close());

  it('allows only queued → running → success | error | timeout, and requeue from running', () => {
    for (const state of EXECUTION_STATES) {
      const terminal = isTerminalState(state);
      assert.equal(canMove(state, 'dispatch'), state === 'queued', `dispatch from ${state}`);
      assert.equal(canMove(state, 'requeue'), state === 'running', `requeue from ${state}`);
      assert.equal(canMove(state, 'finish'), !terminal, `finish from ${state}`);
    }
  });

  it('runs an async execution through its states, in memory and in the store', async () => {
    kit = createSchedulerKit();
    const execution = await kit.create('fn', 'async');
    assert.equal(kit.stored(execution.record.id)?.status, 'queued', 'committed as queued');

    kit.clock.advance(5);
    assert.equal(kit.tracker.start(execution, kit.clock.now()), true);
    const running = kit.stored(execution.record.id);
    assert.equal(running?.status, 'running');
    assert.equal(running?.startedAt, kit.clock.now());

    kit.clock.advance(20);
    assert.equal(kit.tracker.finish(execution, success('{"n":7.0}'), 1), true);
    const ended = kit.stored(execution.record.id);
    assert.equal(ended?.status, 'success');
    assert.equal(ended?.output?.toString(), '{"n":7.0}', 'the bytes as the function wrote them');
    assert.equal(ended?.finishedAt, kit.clock.now());
    assert.deepEqual(
      kit.finished.map((record) => record.id),
      [execution.record.id],
      'the end is announced once it is committed',
    );
  });

  it('keeps the first result: a duplicate completion changes nothing, in memory or in the store', async () => {
    kit = createSchedulerKit();
    const execution = await kit.create('fn', 'async');
    kit.tracker.start(execution, kit.clock.now());
    assert.equal(kit.tracker.finish(execution, success('"first"'), 1), true);
    assert.equal(kit.tracker.finish(execution, success('"second"'), 1), false);
    const late = errorInfo('BACKEND_UNREACHABLE', 'late failure');
    assert.equal(kit.tracker.finish(execution, { status: 'error', error: late }), false);
    assert.equal(kit.tracker.get(execution.record.id)?.output?.toString(), '"first"');
    const stored = kit.stored(execution.record.id);
    assert.equal(stored?.status, 'success');
    assert.equal(stored?.output?.toString(), '"first"');
    assert.equal(stored?.error, undefined);
    assert.equal(kit.finished.length, 1);
  });

  it('drops a result for an attempt that is no longer current (fenced by execution id + attempt)', async () => {
    kit = createSchedulerKit();
    const execution = await kit.create('fn', 'async');
    kit.tracker.start(execution, kit.clock.now());
    assert.equal(kit.tracker.requeue(execution, 1, 'retry'), true);
    assert.equal(execution.record.attempt, 2);
    assert.equal(kit.stored(execution.record.id)?.attempt, 2);

    // Attempt 1 reports late: neither its result nor a second requeue of it counts.
    assert.equal(kit.tracker.finish(execution, success('"stale"'), 1), false);
    assert.equal(kit.tracker.requeue(execution, 1, 'retry'), false);
    assert.equal(execution.record.status, 'queued');
    assert.equal(execution.record.attempt, 2);

    kit.tracker.start(execution, kit.clock.now());
    assert.equal(kit.tracker.finish(execution, success('"current"'), 2), true);
    const stored = kit.stored(execution.record.id);
    assert.equal(stored?.status, 'success');
    assert.equal(stored?.attempt, 2);
    assert.equal(stored?.output?.toString(), '"current"');
  });

  it('never moves a terminal execution again: no dispatch, no requeue', async () => {
    kit = createSchedulerKit();
    const execution = await kit.create('fn', 'async');
    kit.tracker.start(execution, kit.clock.now());
    kit.tracker.finish(execution, { status: 'timeout', error: errorInfo('TIMEOUT', 'too slow') });
    assert.equal(kit.tracker.start(execution, kit.clock.now()), false);
    assert.equal(kit.tracker.requeue(execution, execution.record.attempt, 'shutdown'), false);
    assert.equal(kit.stored(execution.record.id)?.status, 'timeout');
  });

  it('refuses to dispatch an execution twice without a requeue in between', async () => {
    kit = createSchedulerKit();
    const execution = await kit.create('fn');
    assert.equal(kit.tracker.start(execution, kit.clock.now()), true);
    assert.equal(kit.tracker.start(execution, kit.clock.now()), false);
  });

  it('wakes every waiter with the final record, and answers at once once ended', async () => {
    kit = createSchedulerKit();
    const execution = await kit.create('fn');
    const first = kit.tracker.waitForEnd(execution.record.id);
    const second = kit.tracker.waitForEnd(execution.record.id);
    kit.tracker.start(execution, kit.clock.now());
    kit.tracker.finish(execution, { status: 'error', error: errorInfo('FUNCTION_DELETED', 'gone') });
    for (const ended of [await first, await second, await kit.tracker.waitForEnd(execution.record.id)]) {
      assert.equal(ended?.status, 'error');
      assert.equal(ended?.error?.code, 'FUNCTION_DELETED');
    }
  });

  it('writes a sync execution once, when it ends; until then it is read from memory', async () => {
    kit = createSchedulerKit();
    const execution = await kit.create('fn', 'sync');
    kit.tracker.start(execution, kit.clock.now());
    assert.equal(kit.stored(execution.record.id), undefined);
    assert.equal(kit.tracker.get(execution.record.id)?.status, 'running');
    kit.tracker.finish(execution, success('1'), 1);
    assert.equal(kit.stored(execution.record.id)?.status, 'success');
  });

  it('an async execution cut short by shutdown stays queued in the store under its attempt', async () => {
    kit = createSchedulerKit();
    const execution = await kit.create('fn', 'async');
    kit.tracker.start(execution, kit.clock.now());
    assert.equal(kit.tracker.requeue(execution, 1, 'shutdown'), true);
    const stored = kit.stored(execution.record.id);
    assert.equal(stored?.status, 'queued');
    assert.equal(stored?.attempt, 1);
    // Forgotten in memory: a read comes from the store.
    assert.notEqual(kit.tracker.get(execution.record.id), execution.record);
  });

  it('recovers every unfinished execution with a higher attempt, and says which attempt was running', async () => {
    kit = createSchedulerKit();
    const queued = await kit.create('fn', 'async');
    const running = await kit.create('fn', 'async');
    const done = await kit.create('fn', 'async');
    kit.tracker.start(running, kit.clock.now());
    kit.tracker.start(done, kit.clock.now());
    kit.tracker.finish(done, success('0'), 1);
    kit.writes.flush();

    const recovered = kit.tracker.recoverActive();
    assert.deepEqual(
      recovered.map(({ record, runningAttempt }) => [
        record.id,
        record.status,
        record.attempt,
        runningAttempt,
      ]),
      [
        [queued.record.id, 'queued', 2, undefined],
        [running.record.id, 'queued', 2, 1],
      ],
    );
    assert.equal(kit.stored(done.record.id)?.status, 'success', 'a finished one is left alone');
  });

  it('forgets an async execution whose commit failed, and reports the failure', async () => {
    kit = createSchedulerKit();
    kit.writes.close();
    await assert.rejects(kit.create('fn', 'async'), /closed/);
    assert.equal(kit.tracker.get('exec-0001'), undefined);
  });
});

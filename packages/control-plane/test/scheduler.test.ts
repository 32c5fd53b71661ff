import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { retryDelayMs } from '../src/scheduler/retry-policy.js';
import { createSchedulerKit, deployed, failed, ok, reactions } from './fixtures/scheduler-kit.js';

/** Which execution each dispatch carried, in the order the backend received them. */
function dispatched(kit: ReturnType<typeof createSchedulerKit>): string[] {
  return kit.backend.runs.map((run) => `${run.dispatch.executionId}#${run.dispatch.attempt}`);
}

/**
 * A REMOTE execution running when the control plane stopped, recovered and resumed as a restart does
 * (the backend can recover runs); returns the execution as it was before the restart.
 */
async function restartWithRemoteRunInFlight(kit: ReturnType<typeof createSchedulerKit>) {
  kit.backend.recoverable = true;
  kit.scheduler.setFunction(deployed('job', { mode: 'REMOTE' }));
  const execution = await kit.create('job', 'async');
  kit.tracker.start(execution, kit.clock.now());
  kit.writes.flush();
  const [recovered] = kit.tracker.recoverActive();
  const live = { ...execution, record: recovered!.record, settled: false };
  kit.tracker.track(live);
  kit.scheduler.resume(live, recovered!.runningAttempt!);
  return execution;
}

describe('Scheduler (in memory, injected clock)', () => {
  let kit: ReturnType<typeof createSchedulerKit>;
  afterEach(async () => {
    for (const run of kit?.backend.open ?? []) run.settle(ok());
    await kit?.scheduler.stop(0);
    kit?.close();
  });

  it('dispatches each function in arrival order, at most its capacity at once', async () => {
    kit = createSchedulerKit();
    kit.scheduler.setFunction(deployed('fn', { concurrency: 2, maxReplicas: 1 }));
    const executions = [];
    for (let i = 0; i < 5; i++) executions.push(await kit.submit('fn'));
    assert.deepEqual(dispatched(kit), ['exec-0001#1', 'exec-0002#1']);
    assert.equal(kit.scheduler.queuedCount('fn'), 3);

    kit.backend.runs[1]!.settle(ok());
    await reactions();
    assert.deepEqual(dispatched(kit), ['exec-0001#1', 'exec-0002#1', 'exec-0003#1']);
    for (const run of kit.backend.open) run.settle(ok());
    await reactions();
    for (const run of kit.backend.open) run.settle(ok());
    await reactions();
    assert.deepEqual(
      dispatched(kit),
      ['exec-0001#1', 'exec-0002#1', 'exec-0003#1', 'exec-0004#1', 'exec-0005#1'],
      'first come, first served',
    );
    assert.ok(executions.every((execution) => execution.record.status === 'success'));
  });

  it("does not hold one function's work behind another function's backlog", async () => {
    kit = createSchedulerKit();
    kit.scheduler.setFunction(deployed('hot', { concurrency: 1 }));
    kit.scheduler.setFunction(deployed('quiet', { concurrency: 1 }));
    for (let i = 0; i < 20; i++) await kit.submit('hot');
    const quiet = await kit.submit('quiet');
    assert.deepEqual(
      kit.backend.open.map((run) => run.functionName),
      ['hot', 'quiet'],
      'the quiet function runs while the hot one has 19 waiting',
    );
    kit.backend.open[1]!.settle(ok('"quiet done"'));
    await reactions();
    assert.equal(quiet.record.status, 'success');
    assert.equal(kit.scheduler.queuedCount('hot'), 19);
  });

  it('bounds each queue at queueSize and makes room as work is dispatched', async () => {
    kit = createSchedulerKit();
    kit.scheduler.setFunction(deployed('narrow', { concurrency: 1, queueSize: 2 }));
    kit.scheduler.setFunction(deployed('other', { concurrency: 1, queueSize: 2 }));
    await kit.submit('narrow'); // running
    await kit.submit('narrow');
    assert.equal(kit.scheduler.hasQueueRoom('narrow'), true);
    await kit.submit('narrow');
    assert.equal(kit.scheduler.hasQueueRoom('narrow'), false, 'two waiting: full');
    assert.equal(kit.scheduler.hasQueueRoom('other'), true, 'the bound is per function');
    assert.equal(kit.scheduler.hasQueueRoom('unknown'), false);
    kit.backend.open[0]!.settle(ok());
    await reactions();
    assert.equal(kit.scheduler.hasQueueRoom('narrow'), true);
  });

  it('retries a retryable failure after an exponential backoff with jitter, with a higher attempt', async () => {
    kit = createSchedulerKit({ random: 0.25, retryBaseMs: 100 });
    kit.scheduler.setFunction(deployed('flaky', { maxRetries: 2 }));
    const execution = await kit.submit('flaky', 'async');
    const policy = { baseMs: 100, maxMs: 10_000, random: () => 0.25 };

    kit.backend.open[0]!.settle(failed('BACKEND_UNREACHABLE'));
    await reactions();
    assert.equal(execution.record.status, 'queued');
    assert.equal(execution.record.attempt, 2);
    assert.equal(kit.stored(execution.record.id)?.attempt, 2, 'the raised attempt is stored');
    const firstDelay = retryDelayMs(1, policy);
    assert.equal(firstDelay, 63, 'half of 100 ms plus a quarter of the other half');
    kit.clock.advance(firstDelay - 1);
    assert.equal(kit.backend.runs.length, 1, 'nothing runs before the backoff has passed');
    kit.clock.advance(1);
    assert.deepEqual(dispatched(kit), [`${execution.record.id}#1`, `${execution.record.id}#2`]);

    kit.backend.open[0]!.settle(failed('BACKEND_UNREACHABLE'));
    await reactions();
    const secondDelay = retryDelayMs(2, policy);
    assert.equal(secondDelay, 125, 'the delay doubles');
    kit.clock.advance(secondDelay - 1);
    assert.equal(kit.backend.runs.length, 2);
    kit.clock.advance(1);
    assert.equal(kit.backend.runs.at(-1)?.dispatch.attempt, 3);

    // maxRetries 2: the third failure is final.
    kit.backend.open[0]!.settle(failed('BACKEND_UNREACHABLE'));
    await reactions();
    kit.clock.advance(60_000);
    assert.equal(kit.backend.runs.length, 3);
    const stored = kit.stored(execution.record.id);
    assert.equal(stored?.status, 'error');
    assert.equal(stored?.attempt, 3);
    assert.equal(stored?.error?.code, 'BACKEND_UNREACHABLE');
  });

  it("puts a retry ahead of its function's queue: it already waited its turn", async () => {
    kit = createSchedulerKit({ random: 0 });
    kit.scheduler.setFunction(deployed('fn', { concurrency: 1 }));
    const first = await kit.submit('fn');
    const second = await kit.submit('fn');
    kit.backend.open[0]!.settle(failed('BACKEND_UNREACHABLE'));
    await reactions();
    // The slot went to the second execution while the first backs off.
    assert.deepEqual(dispatched(kit), [`${first.record.id}#1`, `${second.record.id}#1`]);
    const third = await kit.submit('fn');
    kit.clock.advance(retryDelayMs(1, { baseMs: 100, maxMs: 10_000, random: () => 0 }));
    kit.backend.open[0]!.settle(ok());
    await reactions();
    assert.deepEqual(dispatched(kit), [
      `${first.record.id}#1`,
      `${second.record.id}#1`,
      `${first.record.id}#2`,
    ]);
    kit.backend.open[0]!.settle(ok());
    await reactions();
    assert.equal(kit.backend.runs.at(-1)?.dispatch.executionId, third.record.id);
  });

  it("does not retry a function's own error unless it says it is retryable", async () => {
    kit = createSchedulerKit();
    kit.scheduler.setFunction(deployed('fn', { maxRetries: 3 }));
    const plain = await kit.submit('fn');
    kit.backend.open[0]!.settle(failed('CARD_DECLINED', false));
    await reactions();
    assert.equal(plain.record.status, 'error');
    assert.equal(plain.record.error?.code, 'CARD_DECLINED');
    assert.equal(plain.record.error?.origin, 'function');

    const retryable = await kit.submit('fn');
    kit.backend.open[0]!.settle(failed('TRY_AGAIN', true));
    await reactions();
    kit.clock.advance(10_000);
    kit.backend.open[0]!.settle(ok());
    await reactions();
    assert.equal(retryable.record.status, 'success');
    assert.equal(retryable.record.attempt, 2);
  });

  it("ends a sync execution as timeout when its caller's deadline passes, and aborts the attempt", async () => {
    kit = createSchedulerKit();
    kit.scheduler.setFunction(deployed('slow', { timeoutMs: 30_000 }));
    const execution = await kit.submit('slow', 'sync', 500);
    const run = kit.backend.open[0]!;
    assert.equal(run.dispatch.timeoutMs, 500, "the attempt gets at most the caller's wait");
    const ended = kit.tracker.waitForEnd(execution.record.id);
    kit.clock.advance(499);
    assert.equal(execution.record.status, 'running');
    kit.clock.advance(1);
    const record = await ended;
    assert.equal(record?.status, 'timeout');
    assert.equal(record?.error?.code, 'TIMEOUT');
    assert.equal(run.dispatch.signal.aborted, true, 'the running attempt is told to stop');
    // The attempt's own answer arrives later: it changes nothing.
    run.settle(ok('"too late"'));
    await reactions();
    assert.equal(kit.stored(execution.record.id)?.status, 'timeout');
    assert.equal(kit.stored(execution.record.id)?.output, undefined);
  });

  it('ends a queued sync execution as timeout without running it, and frees its queue place', async () => {
    kit = createSchedulerKit();
    kit.scheduler.setFunction(deployed('busy', { concurrency: 1, queueSize: 1 }));
    await kit.submit('busy');
    const waiting = await kit.submit('busy', 'sync', 200);
    assert.equal(kit.scheduler.hasQueueRoom('busy'), false);
    kit.clock.advance(200);
    assert.equal(waiting.record.status, 'timeout');
    assert.equal(kit.scheduler.hasQueueRoom('busy'), true);
    kit.backend.open[0]!.settle(ok());
    await reactions();
    assert.equal(kit.backend.runs.length, 1, 'the expired execution never ran');
  });

  it("does not retry a sync execution when the backoff would outlast its caller's wait", async () => {
    kit = createSchedulerKit({ random: 0.5, retryBaseMs: 1000 });
    kit.scheduler.setFunction(deployed('fn', { maxRetries: 3 }));
    const execution = await kit.submit('fn', 'sync', 300);
    kit.backend.open[0]!.settle(failed('BACKEND_UNREACHABLE'));
    await reactions();
    assert.equal(execution.record.status, 'error');
    assert.equal(execution.record.error?.code, 'BACKEND_UNREACHABLE');
    assert.equal(execution.record.attempt, 1);
  });

  it('ends queued and backing-off executions as FUNCTION_DELETED when their function is removed', async () => {
    kit = createSchedulerKit({ random: 0 });
    kit.scheduler.setFunction(deployed('doomed', { concurrency: 1 }));
    const running = await kit.submit('doomed');
    const queued = await kit.submit('doomed', 'async');
    kit.backend.open[0]!.settle(failed('BACKEND_UNREACHABLE'));
    await reactions();
    // `running` backs off; `queued` now runs; one more waits.
    const waiting = await kit.submit('doomed', 'async');
    kit.scheduler.removeFunction('doomed');
    assert.equal(running.record.error?.code, 'FUNCTION_DELETED');
    assert.equal(waiting.record.error?.code, 'FUNCTION_DELETED');
    assert.equal(kit.stored(waiting.record.id)?.status, 'error');
    // The attempt already running finishes normally.
    kit.backend.open[0]!.settle(ok());
    await reactions();
    assert.equal(queued.record.status, 'success');
    kit.clock.advance(60_000);
    assert.equal(kit.backend.runs.length, 2, 'nothing of the deleted function runs again');
  });

  it('on stop: a queued sync caller gets SHUTTING_DOWN, a running async attempt stays queued for the next start', async () => {
    kit = createSchedulerKit();
    kit.scheduler.setFunction(deployed('fn', { concurrency: 1 }));
    const running = await kit.submit('fn', 'async');
    const queuedSync = await kit.submit('fn');
    const queuedAsync = await kit.submit('fn', 'async');
    const stopped = kit.scheduler.stop(1000);
    assert.equal(queuedSync.record.error?.code, 'SHUTTING_DOWN');
    kit.clock.advance(1000);
    await reactions();
    // Grace is over: the attempt is aborted; the backend reports it so.
    const run = kit.backend.open[0]!;
    assert.equal(run.dispatch.signal.aborted, true);
    run.settle(failed('TIMEOUT'));
    await stopped;
    for (const execution of [running, queuedAsync]) {
      const stored = kit.stored(execution.record.id);
      assert.equal(stored?.status, 'queued', `${execution.record.id} waits for the next start`);
      assert.equal(stored?.attempt, 1);
    }
  });

  it('after a restart, waits for a REMOTE run that is still alive instead of running it again', async () => {
    kit = createSchedulerKit();
    const execution = await restartWithRemoteRunInFlight(kit);
    const [run] = kit.backend.open;
    assert.equal(run?.recovering, true);
    assert.equal(run?.dispatch.attempt, 1, "the old run is asked about under its own attempt's number");
    run!.settle(ok('"from the old run"'));
    await reactions();
    const stored = kit.stored(execution.record.id);
    assert.equal(stored?.status, 'success');
    assert.equal(stored?.output?.toString(), '"from the old run"');
    assert.equal(kit.backend.runs.length, 1, 'not run again');
  });

  it('after a restart, runs a REMOTE execution again, with its higher attempt, when its run is gone', async () => {
    kit = createSchedulerKit();
    const execution = await restartWithRemoteRunInFlight(kit);
    kit.backend.open[0]!.settle(undefined);
    await reactions();
    const rerun = kit.backend.open[0];
    assert.equal(rerun?.recovering, false);
    assert.equal(rerun?.dispatch.attempt, 2);
    rerun!.settle(ok());
    await reactions();
    assert.equal(kit.stored(execution.record.id)?.status, 'success');
    assert.equal(kit.stored(execution.record.id)?.attempt, 2);
  });
});

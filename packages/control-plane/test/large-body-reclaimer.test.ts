import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyBudget } from '../src/http/body-budget.js';
import { LargeBodyReclaimer } from '../src/http/large-body-reclaimer.js';
import { ManualClock } from './fixtures/manual-clock.js';

const MiB = 1024 * 1024;

function reclaimer() {
  const clock = new ManualClock();
  let collections = 0;
  const subject = new LargeBodyReclaimer(clock, () => {
    collections += 1;
  });
  return { clock, subject, collections: () => collections };
}

describe('LargeBodyReclaimer', () => {
  it('collects once, a second after a burst of large bodies was let go', () => {
    const { clock, subject, collections } = reclaimer();
    for (let i = 0; i < 6; i++) subject.letGo(6 * MiB);
    assert.equal(collections(), 0, 'not while the burst goes on');
    clock.advance(999);
    assert.equal(collections(), 0);
    clock.advance(1);
    assert.equal(collections(), 1);
    clock.advance(60_000);
    assert.equal(collections(), 1, 'nothing let go since');
  });

  it('waits for the burst to end: each large body let go puts the collection off', () => {
    const { clock, subject, collections } = reclaimer();
    for (let i = 0; i < 20; i++) {
      subject.letGo(6 * MiB);
      clock.advance(500);
    }
    assert.equal(collections(), 0);
    clock.advance(500);
    assert.equal(collections(), 1);
    assert.equal(clock.pending, 0);
  });

  it('leaves small bodies and small totals to V8', () => {
    const { clock, subject, collections } = reclaimer();
    assert.equal(subject.counts(60 * 1024), false);
    assert.equal(subject.counts(64 * 1024), true);
    for (let i = 0; i < 10_000; i++) subject.letGo(60 * 1024);
    subject.letGo(16 * MiB);
    clock.advance(10_000);
    assert.equal(collections(), 0, '600 MB of small bodies and one large one');
    subject.letGo(16 * MiB);
    clock.advance(1000);
    assert.equal(collections(), 1, 'the second large one makes 32 MiB');
  });

  it('does nothing without a collector (node without --expose-gc)', () => {
    const clock = new ManualClock();
    const subject = new LargeBodyReclaimer(clock, undefined);
    assert.equal(subject.counts(64 * MiB), false);
    subject.letGo(64 * MiB);
    assert.equal(clock.pending, 0);
  });

  it('hears of every request body the budget gives back', () => {
    const { clock, subject, collections } = reclaimer();
    const budget = new BodyBudget(64 * MiB, subject);
    for (let i = 0; i < 8; i++) assert.ok(budget.tryReserve(6 * MiB));
    assert.equal(budget.tryReserve(32 * MiB), false);
    for (let i = 0; i < 8; i++) budget.release(6 * MiB);
    assert.equal(budget.usedBytes, 0);
    clock.advance(1000);
    assert.equal(collections(), 1);
  });
});

/**
 * The Kubernetes backend's list-then-watch (informer semantics), in memory: a source that answers
 * as the API server's list and watch do. The same behaviour against the real API server is in
 * test/k8s-testbed/test/kubernetes-watch.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ObjectWatch, type WatchEvent, type WatchSource } from '../src/backends/kubernetes/object-watch.js';
import { ManualClock } from './fixtures/manual-clock.js';

interface Stream {
  readonly resourceVersion: string;
  emit(type: string, object: unknown): void;
  end(error?: unknown): void;
  aborted: boolean;
}

/** A collection on a fake API server: the test changes it and controls each watch stream. */
class FakeCollection implements WatchSource<KubernetesObject> {
  objects = new Map<string, KubernetesObject>();
  version = 10;
  lists = 0;
  listFailure: Error | undefined;
  readonly streams: Stream[] = [];

  put(name: string, uid = `uid-${name}`): KubernetesObject {
    const object = { metadata: { name, uid, resourceVersion: String(++this.version) } };
    this.objects.set(name, object);
    return object;
  }

  async list() {
    this.lists++;
    if (this.listFailure) throw this.listFailure;
    return { items: [...this.objects.values()], resourceVersion: String(this.version) };
  }

  async watch(
    resourceVersion: string,
    onEvent: (type: string, object: unknown) => void,
    onEnd: (error?: unknown) => void,
  ) {
    const stream: Stream = {
      resourceVersion,
      aborted: false,
      emit: (type, object) => onEvent(type, object),
      end: (error) => onEnd(error),
    };
    this.streams.push(stream);
    return () => {
      stream.aborted = true;
    };
  }

  get current(): Stream {
    return this.streams.at(-1)!;
  }
}

function startWatch(source: FakeCollection, clock = new ManualClock()) {
  const events: Array<[WatchEvent, string]> = [];
  const errors: unknown[] = [];
  const watch = new ObjectWatch<KubernetesObject>({
    source,
    clock,
    onEvent: (type, object) => events.push([type, object.metadata?.name ?? '?']),
    onError: (error) => errors.push(error),
    retryDelayMs: 1000,
  });
  watch.start();
  return { watch, events, errors, clock };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ObjectWatch (list, then watch from the list’s resourceVersion)', () => {
  it('hands on the listed objects, then the watched changes, from the list’s resourceVersion', async () => {
    const source = new FakeCollection();
    source.put('a');
    const { events, watch } = startWatch(source);
    await settle();
    assert.deepEqual(events, [['ADDED', 'a']]);
    assert.equal(source.current.resourceVersion, String(source.version));
    source.current.emit('ADDED', source.put('b'));
    source.current.emit('DELETED', source.objects.get('a'));
    assert.deepEqual(events.slice(1), [
      ['ADDED', 'b'],
      ['DELETED', 'a'],
    ]);
    watch.stop();
    assert.equal(source.current.aborted, true);
  });

  it('a stream the server closed resumes from the last resourceVersion seen, bookmarks included', async () => {
    const source = new FakeCollection();
    const { events } = startWatch(source);
    await settle();
    source.current.emit('ADDED', source.put('a'));
    source.current.emit('BOOKMARK', { metadata: { resourceVersion: '99' } });
    source.current.end();
    await settle();
    assert.equal(source.lists, 1, 'no new list for a clean end');
    assert.equal(source.current.resourceVersion, '99');
    assert.deepEqual(events, [['ADDED', 'a']]);
  });

  it('410 Gone (an ERROR event) lists again: what was deleted meanwhile arrives as DELETED', async () => {
    const source = new FakeCollection();
    source.put('kept');
    source.put('deleted');
    source.put('changed');
    const { events } = startWatch(source);
    await settle();
    events.length = 0;
    // While no event reached us: one deleted, one changed, one new.
    source.objects.delete('deleted');
    source.put('changed');
    source.put('new');
    source.current.emit('ERROR', { kind: 'Status', code: 410, message: 'too old resource version' });
    source.current.end();
    await settle();
    assert.equal(source.lists, 2);
    assert.deepEqual(events.sort(), [
      ['ADDED', 'new'],
      ['DELETED', 'deleted'],
      ['MODIFIED', 'changed'],
    ]);
    assert.equal(source.current.resourceVersion, String(source.version));
  });

  it('a failed watch is reported and, after the retry delay, listed again', async () => {
    const source = new FakeCollection();
    source.put('a');
    const { events, errors, clock } = startWatch(source);
    await settle();
    source.objects.delete('a');
    source.current.end(new Error('connection reset'));
    await settle();
    assert.equal(errors.length, 1);
    assert.equal(source.lists, 1, 'waits before listing again');
    clock.advance(1000);
    await settle();
    assert.equal(source.lists, 2);
    assert.deepEqual(events, [
      ['ADDED', 'a'],
      ['DELETED', 'a'],
    ]);
  });

  it('an object made again under the same name while no watch ran is DELETED then ADDED', async () => {
    const source = new FakeCollection();
    source.put('a', 'uid-1');
    const { events } = startWatch(source);
    await settle();
    source.put('a', 'uid-2');
    source.current.end({ statusCode: 410 });
    await settle();
    assert.deepEqual(events, [
      ['ADDED', 'a'],
      ['DELETED', 'a'],
      ['ADDED', 'a'],
    ]);
  });

  it('a failing list is retried until it answers; stop ends every timer and stream', async () => {
    const source = new FakeCollection();
    source.listFailure = new Error('503');
    const { errors, clock, watch, events } = startWatch(source);
    await settle();
    clock.advance(1000);
    await settle();
    assert.equal(errors.length, 2);
    source.listFailure = undefined;
    source.put('a');
    clock.advance(1000);
    await settle();
    assert.deepEqual(events, [['ADDED', 'a']]);
    watch.stop();
    assert.equal(source.current.aborted, true);
    source.current.end();
    await settle();
    assert.equal(source.streams.length, 1, 'no new stream after stop');
    assert.equal(clock.pending, 0);
  });
});

// The node agent's pod addresses on a real bridge (needs root, as the test bed does): addresses go
// round robin, and a pod that gets the address a deleted pod had is reachable from the host at once
// (the host's neighbour entry for the old pod's MAC is dropped), as behind a CNI bridge plugin.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type PodAddress, PodAddresses } from '../src/agent/pod-addresses.js';
import { createPodBridge, destroyPodBridge } from '../src/pod-bridge.js';
import type { PodNetworkSpec } from '../src/pod-network.js';
import { runCommand } from '../src/run-command.js';
import { waitFor } from '../src/wait-for.js';

let network: PodNetworkSpec;
const children: ChildProcess[] = [];

/** An HTTP server in the pod's network namespace that answers with its name. */
function servePod(addresses: PodAddresses, address: PodAddress, name: string): ChildProcess {
  const script = `require('node:http').createServer((q, s) => s.end(process.argv[1])).listen(8080, process.argv[2])`;
  const argv = addresses.wrap(address, process.execPath, ['-e', script, name, address.ip]);
  const child = spawn(argv.command, argv.args, { stdio: 'ignore' });
  children.push(child);
  return child;
}

async function ask(ip: string): Promise<string> {
  const response = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(3000) });
  return response.text();
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('pod addresses on the bridge', { timeout: 120_000 }, () => {
  let anchor: string;
  before(async () => {
    network = await createPodBridge();
    // Another port keeps the bridge's carrier up when a pod's port goes, as the test bed's other
    // pods do (a bridge that loses its last port drops its neighbour entries).
    anchor = `${network.bridge}k`;
    await runCommand('ip', ['link', 'add', anchor, 'type', 'veth', 'peer', 'name', `${network.bridge}K`]);
    await runCommand('ip', ['link', 'set', anchor, 'master', network.bridge!, 'up']);
    await runCommand('ip', ['link', 'set', `${network.bridge}K`, 'up']);
  });
  after(async () => {
    for (const child of children) await stop(child);
    if (anchor) await runCommand('ip', ['link', 'del', anchor]).catch(() => undefined);
    if (network?.bridge) await destroyPodBridge(network.bridge);
  });

  it('hands addresses out round robin: a freed one is not the next one', async () => {
    const addresses = new PodAddresses(network);
    const first = await addresses.allocate();
    const second = await addresses.allocate();
    await addresses.release(first);
    const third = await addresses.allocate();
    assert.deepEqual(
      [first.ip, second.ip, third.ip],
      [`${network.prefix}.2`, `${network.prefix}.3`, `${network.prefix}.4`],
    );
    await addresses.release(second);
    await addresses.release(third);
  });

  it('a new pod on the address of a deleted one answers the host at once', async () => {
    // Two allocators from the same start: the second hands out the address the first just freed.
    const before = new PodAddresses(network);
    const after = new PodAddresses(network);
    const old = await before.allocate();
    const oldServer = servePod(before, old, 'old pod');
    // Traffic from the host: its neighbour entry for the address now names the old pod's MAC.
    assert.equal(await waitFor('the old pod to answer', () => ask(old.ip), { timeoutMs: 30_000 }), 'old pod');
    await stop(oldServer);
    await before.release(old);

    const reused = await after.allocate();
    assert.equal(reused.ip, old.ip);
    servePod(after, reused, 'new pod');
    // Only until the server listens: a stale neighbour entry would keep it unreachable far longer.
    const answer = await waitFor(
      'the new pod to answer',
      async () => {
        try {
          return await ask(reused.ip);
        } catch (error) {
          if ((error as Error).name === 'TimeoutError')
            throw new Error('no answer in 3 s: the host sends to the old MAC');
          return undefined;
        }
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    assert.equal(answer, 'new pod');
    await after.release(reused);
  });
});

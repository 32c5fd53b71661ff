import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PodNetworkSpec } from './pod-network.js';
import { runCommand } from './run-command.js';

const ownersDir = '/run/nanofaas-k8s';

/**
 * Creates the bridge `nfk8s<n>` with 10.244.<n>.1/24 for one test bed (n = 1..250, the first free
 * one; a bridge whose owning process died is reclaimed). Pods get .2 to .127, each in its own
 * network namespace (made by the node agent); Services get ClusterIPs from .128/25, which the bridge
 * routes to nowhere, so even a stray ClusterIP connection stays on the machine.
 */
export async function createPodBridge(): Promise<PodNetworkSpec> {
  mkdirSync(ownersDir, { recursive: true });
  for (let n = 1; n <= 250; n++) {
    const bridge = `nfk8s${n}`;
    // The owner file is the lock: whoever creates it exclusively owns slot n (a dead owner's is freed).
    if (!claimSlot(n)) continue;
    await removeBridgeDevices(bridge); // leftovers of a test bed that died
    try {
      await runCommand('ip', ['link', 'add', bridge, 'type', 'bridge']);
    } catch (error) {
      rmSync(ownerPath(n), { force: true });
      throw error;
    }
    const prefix = `10.244.${n}`;
    try {
      // A fixed (locally administered) address: without one a bridge takes the lowest MAC of its
      // ports, which changes as pods come and go, and each change flushes the host's neighbour
      // entries of every pod at random.
      await runCommand('ip', ['link', 'set', bridge, 'address', bridgeMac(n)]);
      await runCommand('ip', ['addr', 'add', `${prefix}.1/24`, 'dev', bridge]);
      await runCommand('ip', ['link', 'set', bridge, 'up']);
    } catch (error) {
      await destroyPodBridge(bridge);
      throw error;
    }
    return {
      kind: 'bridge',
      bridge,
      prefix,
      hostIP: `${prefix}.1`,
      podCIDR: `${prefix}.0/25`,
      serviceCIDR: `${prefix}.128/25`,
    };
  }
  throw new Error('no free nfk8s<n> bridge (1..250 all in use)');
}

function bridgeMac(n: number): string {
  return `02:6e:66:6b:38:${n.toString(16).padStart(2, '0')}`;
}

/** Deletes the bridge and any pod namespace left on it, and frees its slot. Idempotent. */
export async function destroyPodBridge(bridge: string): Promise<void> {
  await removeBridgeDevices(bridge);
  rmSync(ownerPath(Number(bridge.replace('nfk8s', ''))), { force: true });
}

/** Pod namespaces go first: deleting one deletes its veth pair. */
async function removeBridgeDevices(bridge: string): Promise<void> {
  const namespaces = await runCommand('ip', ['netns', 'list']).catch(() => '');
  for (const line of namespaces.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (name.startsWith(`${bridge}-pod-`))
      await runCommand('ip', ['netns', 'del', name]).catch(() => undefined);
  }
  await runCommand('ip', ['link', 'del', bridge]).catch(() => undefined);
}

function claimSlot(n: number): boolean {
  const path = ownerPath(n);
  if (existsSync(path)) {
    if (ownerAlive(n)) return false;
    rmSync(path, { force: true });
  }
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    return false; // a concurrent test bed won the slot
  }
}

function ownerPath(n: number): string {
  return join(ownersDir, `${n}.owner`);
}

function ownerAlive(n: number): boolean {
  const path = ownerPath(n);
  if (!existsSync(path)) return false;
  const pid = Number(readFileSync(path, 'utf8'));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A loopback-only network: pods bind 127.<k>.0.<i>; see PodNetworkSpec for what that costs. */
export function loopbackPodNetwork(): PodNetworkSpec {
  const k = 100 + Math.floor(Math.random() * 150);
  return {
    kind: 'loopback',
    prefix: `127.${k}.0`,
    hostIP: '127.0.0.1',
    podCIDR: `127.${k}.0.0/24`,
    serviceCIDR: '10.96.0.0/24',
  };
}

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PodNetworkSpec } from './pod-network.js';
import { runCommand } from './run-command.js';

const ownersDir = '/run/nanofaas-k8s';

/**
 * Creates a network namespace `nanofaas-k8s-<n>` with subnet 10.244.<n>.0/24: the host end of a veth
 * pair gets 10.244.<n>.1, pods get addresses from .2 to .127 on the namespace end, Services get
 * ClusterIPs from 10.244.<n>.128/25 (routed into the namespace too, where nothing answers them, so
 * even a stray ClusterIP connection never leaves the machine). The namespace has no default route.
 */
export async function createPodNetworkNamespace(): Promise<PodNetworkSpec> {
  mkdirSync(ownersDir, { recursive: true });
  const existing = new Set(
    (await runCommand('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0]),
  );
  for (let n = 1; n <= 250; n++) {
    const name = `nanofaas-k8s-${n}`;
    if (existing.has(name)) {
      if (ownerAlive(n)) continue;
      await destroyPodNetworkNamespace(name).catch(() => undefined);
    }
    try {
      await runCommand('ip', ['netns', 'add', name]);
    } catch {
      continue; // taken by a concurrent test bed
    }
    writeFileSync(ownerPath(n), String(process.pid));
    const host = `nfk8s${n}h`;
    const peer = `nfk8s${n}p`;
    const prefix = `10.244.${n}`;
    try {
      await runCommand('ip', ['link', 'del', host]).catch(() => undefined);
      await runCommand('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', peer]);
      await runCommand('ip', ['link', 'set', peer, 'netns', name]);
      await runCommand('ip', ['-n', name, 'link', 'set', peer, 'name', 'eth0']);
      await runCommand('ip', ['addr', 'add', `${prefix}.1/24`, 'dev', host]);
      await runCommand('ip', ['link', 'set', host, 'up']);
      await runCommand('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
      await runCommand('ip', ['-n', name, 'link', 'set', 'eth0', 'up']);
      await runCommand('ip', ['-n', name, 'route', 'add', `${prefix}.0/24`, 'dev', 'eth0']);
    } catch (error) {
      await destroyPodNetworkNamespace(name).catch(() => undefined);
      throw error;
    }
    return {
      kind: 'netns',
      namespace: name,
      prefix,
      hostIP: `${prefix}.1`,
      podCIDR: `${prefix}.0/25`,
      serviceCIDR: `${prefix}.128/25`,
    };
  }
  throw new Error('no free nanofaas-k8s-<n> network namespace (1..250 all in use)');
}

/** Deleting the namespace also deletes the veth pair. Idempotent. */
export async function destroyPodNetworkNamespace(name: string): Promise<void> {
  const n = Number(name.split('-').pop());
  await runCommand('ip', ['netns', 'del', name]).catch((error: Error) => {
    if (!/No such file|Cannot remove/.test(error.message)) throw error;
  });
  await runCommand('ip', ['link', 'del', `nfk8s${n}h`]).catch(() => undefined);
  rmSync(ownerPath(n), { force: true });
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

import { type PodNetworkSpec, podNamespaceName } from '../pod-network.js';
import { runCommand } from '../run-command.js';

/** .2-.127: .0/.1 are the network and the host; .128/25 is the Service range. */
const FIRST_SLOT = 2;
const SLOTS = 126;

/** One pod's place on the pod network. */
export interface PodAddress {
  ip: string;
  /** The pod's network namespace (bridge networks only). */
  netns?: string;
}

/**
 * Hands out one address per pod and makes it reachable. On a bridge network each pod gets its own
 * network namespace (own loopback, own ports) with a veth pair: `eth0` inside with the pod's
 * address, the other end on the test bed's bridge. On a loopback network the address is a 127/8
 * one, local on Linux already, and pods share the host's network.
 */
export class PodAddresses {
  private readonly inUse = new Set<number>();
  /** Where the search for a free address starts: the one after the last handed out. */
  private next = FIRST_SLOT;

  constructor(private readonly network: PodNetworkSpec) {}

  /**
   * The next free address after the last one handed out (round robin, as CNI's host-local IPAM
   * does), so a pod's address is not reused the moment it is free.
   */
  async allocate(): Promise<PodAddress> {
    for (let n = 0; n < SLOTS; n++) {
      const i = FIRST_SLOT + ((this.next - FIRST_SLOT + n) % SLOTS);
      if (this.inUse.has(i)) continue;
      this.inUse.add(i);
      this.next = i + 1;
      const ip = `${this.network.prefix}.${i}`;
      if (this.network.kind === 'loopback') return { ip };
      try {
        return { ip, netns: await this.createNamespace(i, ip) };
      } catch (error) {
        await this.deleteNamespace(i);
        this.inUse.delete(i);
        throw error;
      }
    }
    throw new Error(`pod network ${this.network.podCIDR} is full`);
  }

  async release(address: PodAddress): Promise<void> {
    const i = Number(address.ip.split('.').pop());
    if (!this.inUse.has(i)) return;
    if (this.network.kind === 'bridge') await this.deleteNamespace(i);
    this.inUse.delete(i);
  }

  /** The argv that runs `command` in the pod's network. */
  wrap(address: PodAddress, command: string, args: string[]): { command: string; args: string[] } {
    if (!address.netns) return { command, args };
    return { command: 'nsenter', args: [`--net=/run/netns/${address.netns}`, '--', command, ...args] };
  }

  private async createNamespace(i: number, ip: string): Promise<string> {
    const bridge = this.network.bridge!;
    const netns = podNamespaceName(bridge, i);
    const hostEnd = `${bridge}h${i}`;
    const podEnd = `${bridge}p${i}`;
    await this.deleteNamespace(i); // a leftover of a crashed agent
    await runCommand('ip', ['netns', 'add', netns]);
    await runCommand('ip', ['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', podEnd]);
    await runCommand('ip', ['link', 'set', podEnd, 'netns', netns]);
    await runCommand('ip', ['link', 'set', hostEnd, 'master', bridge, 'up']);
    await runCommand('ip', ['-n', netns, 'link', 'set', podEnd, 'name', 'eth0']);
    await runCommand('ip', ['-n', netns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    await runCommand('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
    await runCommand('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    // The host may still map this address to the MAC of the pod that had it before (a neighbour
    // entry stays REACHABLE for 15-45 s after the last traffic): packets for the new pod would go
    // to a MAC no port has, and it would be unreachable from the host (the control plane, the
    // probes) until the entry ages out. The CNI bridge plugin announces a new pod with a
    // gratuitous ARP for this reason; dropping the stale entry has the same effect.
    await runCommand('ip', ['neigh', 'del', ip, 'dev', bridge]).catch(() => undefined);
    return netns;
  }

  /** Deleting the namespace deletes its end of the veth pair, and with it the host end. */
  private async deleteNamespace(i: number): Promise<void> {
    const bridge = this.network.bridge!;
    await runCommand('ip', ['netns', 'del', podNamespaceName(bridge, i)]).catch(() => undefined);
    await runCommand('ip', ['link', 'del', `${bridge}h${i}`]).catch(() => undefined);
  }
}

import type { PodNetworkSpec } from '../pod-network.js';
import { runCommand } from '../run-command.js';

/**
 * Hands out one address per pod from the pod network and makes it reachable: in a network
 * namespace the address is added to the namespace's end of the veth pair; loopback addresses
 * (127/8) are all local on Linux already. Pod processes run through `wrap` so they start in the
 * namespace.
 */
export class PodAddresses {
  private readonly inUse = new Set<number>();

  constructor(private readonly network: PodNetworkSpec) {}

  async allocate(): Promise<string> {
    // .2-.127: .0/.1 are the network and the host; .128/25 is the Service range (netns).
    for (let i = 2; i <= 127; i++) {
      if (this.inUse.has(i)) continue;
      this.inUse.add(i);
      const ip = `${this.network.prefix}.${i}`;
      if (this.network.kind === 'netns') {
        try {
          await runCommand('ip', ['-n', this.network.namespace!, 'addr', 'add', `${ip}/32`, 'dev', 'eth0']);
        } catch (error) {
          this.inUse.delete(i);
          throw error;
        }
      }
      return ip;
    }
    throw new Error(`pod network ${this.network.podCIDR} is full`);
  }

  async release(ip: string): Promise<void> {
    const i = Number(ip.split('.').pop());
    if (!this.inUse.delete(i)) return;
    if (this.network.kind === 'netns') {
      await runCommand('ip', ['-n', this.network.namespace!, 'addr', 'del', `${ip}/32`, 'dev', 'eth0']).catch(
        () => undefined,
      );
    }
  }

  /** The argv that runs `command` inside the pod network. */
  wrap(command: string, args: string[]): { command: string; args: string[] } {
    if (this.network.kind === 'loopback') return { command, args };
    return {
      command: 'nsenter',
      args: [`--net=/run/netns/${this.network.namespace}`, '--', command, ...args],
    };
  }
}

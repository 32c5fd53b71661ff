import type { Dispatch } from '../backend.js';
import { type InvokeOutcome, WatchdogClient } from '../local/watchdog-client.js';

/**
 * HTTP calls to one function pod (POST /invoke with the dispatch headers). A small interface so
 * the backend does not depend on which function HTTP client serves it.
 */
export interface PodClient {
  invoke(dispatch: Dispatch): Promise<InvokeOutcome>;
  close(): void;
}

export type PodClientFactory = (address: string, port: number, maxConnections: number) => PodClient;

/** Pods are reached like local watchdogs, at their own address. */
export const createPodClient: PodClientFactory = (address, port, maxConnections) =>
  new WatchdogClient(port, maxConnections, address);

export type { InvokeOutcome };

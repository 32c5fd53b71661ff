import type { Dispatch } from '../backend.js';
import { type FunctionAnswer, FunctionHttpClient } from '../function-http-client.js';
import { WATCHDOG_ANSWER_MAX_BYTES } from '../local/warm-replica.js';

/**
 * HTTP calls to one function pod (POST /invoke with the dispatch headers). A small interface so
 * the backend does not depend on which function HTTP client serves it.
 */
export interface PodClient {
  invoke(dispatch: Dispatch): Promise<FunctionAnswer>;
  close(): void;
}

export type PodClientFactory = (address: string, port: number, maxConnections: number) => PodClient;

/** Pods are reached with the one function HTTP client, at their own address. */
export const createPodClient: PodClientFactory = (address, port, maxConnections) => {
  const host = address.includes(':') ? `[${address}]` : address;
  const client = new FunctionHttpClient(new URL(`http://${host}:${port}/invoke`), {
    maxConnections,
    maxOutputBytes: WATCHDOG_ANSWER_MAX_BYTES,
    // The watchdog enforces X-Timeout-Ms itself; an image serving /invoke may not (approach 1).
    timeoutGraceMs: 2_000,
  });
  return {
    invoke: (dispatch) => client.invoke(dispatch, dispatch.requestBody),
    close: () => void client.close(),
  };
};

export type { FunctionAnswer };

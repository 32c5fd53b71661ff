import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What the server does with each request, in order; the last entry repeats. */
export type CallbackPlan = readonly ('drop' | number)[];

export interface CallbackServer {
  /** The CALLBACK_URL to hand to a one-shot run. */
  readonly callbackUrl: string;
  /** Every request, including the ones that were dropped or failed. */
  readonly received: ReceivedCallback[];
  close(): Promise<void>;
}

/** A real completion-callback endpoint on loopback that can fail the first attempts. */
export async function startCallbackServer(plan: CallbackPlan = [204]): Promise<CallbackServer> {
  const received: ReceivedCallback[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const step = plan[Math.min(received.length - 1, plan.length - 1)] ?? 204;
      if (step === 'drop') {
        request.socket.destroy();
        return;
      }
      response.writeHead(step, { 'content-type': 'application/json' });
      response.end(step >= 400 ? '{"error":{"code":"X","message":"planned failure"}}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    callbackUrl: `http://127.0.0.1:${port}/v1/internal/executions`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

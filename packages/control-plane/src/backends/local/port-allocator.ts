import { createServer } from 'node:net';

/** Hands out free loopback ports for replicas (PORT and RUNTIME_PORT). */
export interface PortAllocator {
  allocate(): Promise<number>;
}

/**
 * Asks the kernel for a free port (bind 127.0.0.1:0, then close). A port handed out recently is
 * never handed out again for a while, so two replicas starting at once cannot get the same one;
 * if another program takes a port in between, the watchdog fails to bind, exits, and the replica
 * is started again with new ports.
 */
export function createPortAllocator(recentWindow = 256): PortAllocator {
  const recent: number[] = [];
  return {
    async allocate() {
      for (let attempt = 0; attempt < 20; attempt++) {
        const port = await bindEphemeral();
        if (recent.includes(port)) continue;
        recent.push(port);
        if (recent.length > recentWindow) recent.shift();
        return port;
      }
      throw new Error('could not find a free loopback port');
    },
  };
}

function bindEphemeral(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

import { connect, createServer, type Server, type Socket } from 'node:net';
import type { CoreV1Api } from '@kubernetes/client-node';
import type { PodNetworkSpec } from '../pod-network.js';
import { runCommand } from '../run-command.js';

export interface ClusterApiServiceOptions {
  core: CoreV1Api;
  network: PodNetworkSpec;
  /** The API server's own address (the agent's kubeconfig server). */
  apiServer: URL;
  log(line: string): void;
}

/**
 * The `kubernetes` Service as pods see it, so that in-cluster clients (KUBERNETES_SERVICE_HOST/PORT,
 * the service-account token and CA) reach the real API server. There is no kube-proxy: on a bridge
 * network the agent puts the Service's ClusterIP on the bridge and relays TCP from it to the API
 * server on 127.0.0.1, unchanged (TLS is end to end; the API server's self-signed certificate names
 * that ClusterIP, the first address of the Service range). Pods reach it because ClusterIPs are in
 * the bridge's /24. On the loopback network pods share the host's, and get the API server's own
 * address.
 */
export class ClusterApiService {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private boundAddress: string | undefined;
  private endpoint: { host: string; port: number } | undefined;

  constructor(private readonly options: ClusterApiServiceOptions) {}

  async start(): Promise<void> {
    const { network, apiServer } = this.options;
    const upstream = { host: apiServer.hostname, port: Number(apiServer.port || 443) };
    if (network.kind === 'loopback') {
      this.endpoint = upstream;
      return;
    }
    const { clusterIP, port } = await this.readService();
    await runCommand('ip', ['addr', 'replace', `${clusterIP}/32`, 'dev', network.bridge!]);
    this.boundAddress = clusterIP;
    const server = createServer((client) => this.relay(client, upstream));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, clusterIP, () => resolve());
    });
    this.server = server;
    this.endpoint = { host: clusterIP, port };
    this.options.log(`kubernetes Service ${clusterIP}:${port} relays to ${upstream.host}:${upstream.port}`);
  }

  /** The variables the kubelet gives every container for the `kubernetes` Service. */
  env(): Record<string, string> {
    if (!this.endpoint) return {};
    const { host, port } = this.endpoint;
    const prefix = `KUBERNETES_PORT_${port}_TCP`;
    return {
      KUBERNETES_SERVICE_HOST: host,
      KUBERNETES_SERVICE_PORT: String(port),
      KUBERNETES_SERVICE_PORT_HTTPS: String(port),
      KUBERNETES_PORT: `tcp://${host}:${port}`,
      [prefix]: `tcp://${host}:${port}`,
      [`${prefix}_PROTO`]: 'tcp',
      [`${prefix}_PORT`]: String(port),
      [`${prefix}_ADDR`]: host,
    };
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.boundAddress) {
      const address = this.boundAddress;
      this.boundAddress = undefined;
      await runCommand('ip', ['addr', 'del', `${address}/32`, 'dev', this.options.network.bridge!]).catch(
        () => undefined,
      );
    }
  }

  /** The API server creates the Service right after it starts; allow it a few seconds. */
  private async readService(): Promise<{ clusterIP: string; port: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const service = await this.options.core.readNamespacedService({
          name: 'kubernetes',
          namespace: 'default',
        });
        const clusterIP = service.spec?.clusterIP;
        const port =
          service.spec?.ports?.find((p) => p.name === 'https')?.port ?? service.spec?.ports?.[0]?.port;
        if (clusterIP && port) return { clusterIP, port };
      } catch (error) {
        if (attempt >= 50) throw error;
      }
      if (attempt >= 50) throw new Error('Service default/kubernetes has no ClusterIP');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private relay(client: Socket, upstream: { host: string; port: number }): void {
    const server = connect(upstream.port, upstream.host);
    for (const socket of [client, server]) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.once('error', () => {
        client.destroy();
        server.destroy();
      });
    }
    client.pipe(server);
    server.pipe(client);
  }
}

import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface KubeletServerOptions {
  host: string;
  certPath: string;
  keyPath: string;
  stateDir: string;
  log(line: string): void;
}

const namePattern = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * The one kubelet API the agent serves: `GET /containerLogs/{namespace}/{pod}/{container}`, which
 * kube-apiserver calls for `kubectl logs` (with `tailLines`, `limitBytes` and `follow`). The API
 * server does not verify a kubelet's certificate unless --kubelet-certificate-authority is set, so
 * the agent serves with the API server's own self-signed pair. Everything else answers 404
 * (no exec, attach or port-forward).
 */
export class KubeletServer {
  private server: Server | undefined;

  constructor(private readonly options: KubeletServerOptions) {}

  async start(): Promise<number> {
    const server = createServer(
      { cert: readFileSync(this.options.certPath), key: readFileSync(this.options.keyPath) },
      (req, res) => {
        const url = new URL(req.url ?? '/', 'https://node');
        const parts = url.pathname.split('/').filter(Boolean);
        if (req.method !== 'GET' || parts[0] !== 'containerLogs' || parts.length !== 4) {
          res
            .writeHead(404, { 'content-type': 'text/plain' })
            .end('the node agent serves only /containerLogs\n');
          return;
        }
        const [, namespace, pod, container] = parts as [string, string, string, string];
        if (![namespace, pod, container].every((part) => namePattern.test(part))) {
          res
            .writeHead(400, { 'content-type': 'text/plain' })
            .end('invalid namespace, pod or container name\n');
          return;
        }
        const path = join(this.options.stateDir, `${namespace}_${pod}`, `${container}.log`);
        if (!existsSync(path)) {
          res
            .writeHead(404, { 'content-type': 'text/plain' })
            .end(`no output of ${namespace}/${pod}/${container} yet\n`);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain' });
        const tailLines = Number(url.searchParams.get('tailLines') ?? Number.NaN);
        const limitBytes = Number(url.searchParams.get('limitBytes') ?? Number.NaN);
        let text = readFileSync(path, 'utf8');
        if (Number.isInteger(tailLines) && tailLines >= 0) {
          const lines = text.split('\n');
          if (lines.at(-1) === '') lines.pop();
          text = lines
            .slice(lines.length - tailLines)
            .map((line) => `${line}\n`)
            .join('');
          if (tailLines === 0) text = '';
        }
        if (Number.isInteger(limitBytes) && limitBytes > 0) text = text.slice(0, limitBytes);
        res.write(text);
        if (url.searchParams.get('follow') !== 'true') {
          res.end();
          return;
        }
        // Follow: stream what is appended until the container stops (its pid file goes away, as
        // the kubelet ends a follow when the container exits) or the client goes away.
        const pidPath = path.replace(/\.log$/, '.pid');
        let offset = Buffer.byteLength(readFileSync(path));
        const poll = setInterval(() => {
          const running = existsSync(pidPath);
          const size = statSync(path).size;
          if (size > offset) {
            const chunk = Buffer.alloc(size - offset);
            const fd = openSync(path, 'r');
            readSync(fd, chunk, 0, chunk.length, offset);
            closeSync(fd);
            res.write(chunk);
            offset = size;
          }
          if (!running) {
            clearInterval(poll);
            res.end();
          }
        }, 250);
        res.once('close', () => clearInterval(poll));
      },
    );
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.options.host, resolve);
    });
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

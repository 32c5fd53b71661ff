import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { V1Container, V1Probe } from '@kubernetes/client-node';

export type ProbeResult = { ok: true } | { ok: false; message: string };

export interface ProbeTarget {
  podIP: string;
  container: V1Container;
  env: Record<string, string>;
  /** Wraps an exec probe's command so it runs in the pod's network. */
  wrap(command: string, args: string[]): { command: string; args: string[] };
}

/** Runs one probe attempt as the kubelet does: HTTP 200-399, TCP connect, or exec exit code 0. */
export async function runProbe(probe: V1Probe, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.httpGet) {
      const port = resolvePort(probe.httpGet.port, target.container);
      return await httpProbe(
        probe.httpGet.host || target.podIP,
        port,
        probe.httpGet.path ?? '/',
        timeoutMs,
        probe,
      );
    }
    if (probe.tcpSocket) {
      const port = resolvePort(probe.tcpSocket.port, target.container);
      return await tcpProbe(probe.tcpSocket.host || target.podIP, port, timeoutMs);
    }
    if (probe.exec?.command?.length) return await execProbe(probe.exec.command, target, timeoutMs);
    return {
      ok: false,
      message: 'probe type not supported by the node agent (use httpGet, tcpSocket or exec)',
    };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function resolvePort(port: number | string, container: V1Container): number {
  if (typeof port === 'number') return port;
  const asNumber = Number(port);
  if (Number.isInteger(asNumber) && asNumber > 0) return asNumber;
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`probe port "${port}" is not a container port name`);
  return named.containerPort;
}

function httpProbe(
  host: string,
  port: number,
  path: string,
  timeoutMs: number,
  probe: V1Probe,
): Promise<ProbeResult> {
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.37 (nanofaas node agent)' };
  for (const header of probe.httpGet?.httpHeaders ?? []) headers[header.name] = header.value;
  return new Promise((resolve) => {
    const req = request(
      { host, port, path, method: 'GET', headers, timeout: timeoutMs, agent: false },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(
          status >= 200 && status < 400
            ? { ok: true }
            : { ok: false, message: `HTTP probe failed with statuscode: ${status}` },
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Get "http://${host}:${port}${path}": timeout`)));
    req.on('error', (error) => resolve({ ok: false, message: error.message }));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ ok: false, message: `dial tcp ${host}:${port}: timeout` });
    });
    socket.once('error', (error) => resolve({ ok: false, message: error.message }));
  });
}

function execProbe(command: string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const [cmd, ...args] = command;
  const wrapped = target.wrap(cmd!, args);
  return new Promise((resolve) => {
    const child = spawn(wrapped.command, wrapped.args, {
      env: target.env,
      stdio: 'ignore',
      timeout: timeoutMs,
    });
    child.once('error', (error) => resolve({ ok: false, message: error.message }));
    child.once('exit', (code, signal) =>
      resolve(code === 0 ? { ok: true } : { ok: false, message: `command exited with ${code ?? signal}` }),
    );
  });
}

import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { killWithParent } from '../parent-death.js';
import type { AgentConfig } from './agent-config.js';
import {
  type ContainerLaunch,
  ContainerStartError,
  fieldValue,
  resolveContainerLaunch,
} from './container-launch.js';
import { ContainerProbes } from './container-probes.js';
import type { PodAddress, PodAddresses } from './pod-addresses.js';
import { isNotFound, type PodApi } from './pod-api.js';
import { buildPodStatus, type ContainerState, type PodPhase } from './pod-status.js';
import { type PodMount, preparePodVolumes } from './pod-volumes.js';
import { withPrivateTmp } from './private-tmp.js';
import { StatusWriter, type WriteFailure } from './status-writer.js';

export interface PodRunnerDeps {
  config: AgentConfig;
  addresses: PodAddresses;
  api: PodApi;
  /** Variables of the `kubernetes` Service every container gets (cluster-api-service.ts). */
  serviceEnv: Readonly<Record<string, string>>;
  log(line: string): void;
  /** Called once the runner is finished with the pod (deleted, or the pod vanished). */
  onGone(uid: string): void;
}

/**
 * The kubelet's job for one Pod, with a local process in place of a container: it runs the first
 * container's command on the pod's own address, probes it, restarts it per restartPolicy, enforces
 * activeDeadlineSeconds, honours graceful deletion, and reports all of it in the Pod's status.
 */
export class PodRunner {
  private pod: V1Pod;
  private readonly container: V1Container;
  private readonly dir: string;
  private readonly startTime = new Date();
  private address: PodAddress | undefined;
  private addressReleased = false;
  private launch: ContainerLaunch | undefined;
  /** The pod's volumes, prepared once: an emptyDir outlives container restarts. */
  private mounts: PodMount[] | undefined;
  private child: ChildProcess | undefined;
  private childExited: Promise<void> | undefined;
  private state: ContainerState = { kind: 'waiting', reason: 'ContainerCreating' };
  private lastTerminated: Extract<ContainerState, { kind: 'terminated' }> | undefined;
  private restartCount = 0;
  private ready = false;
  private started = false;
  private phase: PodPhase = 'Pending';
  private phaseReason: { reason: string; message: string } | undefined;
  private probes: ContainerProbes | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private terminating = false;
  private deleting = false;
  private finished = false;
  private readonly conditionSince = new Map<string, { status: string; time: Date }>();
  private readonly statusWriter = new StatusWriter(
    () => this.patchStatus(),
    (error) => this.onStatusWriteFailure(error),
  );

  constructor(
    pod: V1Pod,
    private readonly deps: PodRunnerDeps,
  ) {
    this.pod = pod;
    this.container = pod.spec!.containers[0]!;
    this.dir = join(deps.config.stateDir, `${pod.metadata!.namespace}_${pod.metadata!.name}`);
  }

  get uid(): string {
    return this.pod.metadata!.uid!;
  }

  private get label(): string {
    return `${this.pod.metadata!.namespace}/${this.pod.metadata!.name}`;
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const deadline = this.pod.spec?.activeDeadlineSeconds;
    if (deadline !== undefined) this.after(deadline * 1000, () => void this.failDeadline(deadline));
    try {
      this.address = await this.deps.addresses.allocate();
    } catch (error) {
      this.setWaiting('CreateContainerError', error instanceof Error ? error.message : String(error));
      return;
    }
    if (this.finished) {
      // Killed while the address was being set up: nothing else will release it.
      await this.releaseAddress();
      return;
    }
    this.writeStatus();
    await this.runContainer();
  }

  /** A newer version of the Pod from the watch. */
  update(pod: V1Pod): void {
    this.pod = pod;
    if (pod.metadata?.deletionTimestamp && !this.deleting) {
      this.deleting = true;
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
      void this.terminateThenDelete(grace);
    }
  }

  /** The Pod is gone from the API (force-deleted): kill at once, report nothing. */
  async kill(): Promise<void> {
    this.terminating = true;
    this.finished = true;
    await this.stopContainer(0);
    await this.cleanup();
    this.deps.onGone(this.uid);
  }

  /** The agent is shutting down: end the process within the grace period, leave the Pod as it is. */
  async shutdown(graceMs: number): Promise<void> {
    this.terminating = true;
    this.finished = true;
    await this.stopContainer(graceMs);
    await this.cleanup();
  }

  private async runContainer(): Promise<void> {
    if (this.terminating) return;
    try {
      // Re-resolved on every (re)start, as the kubelet does: a changed ConfigMap takes effect.
      const fields = {
        podIP: this.address!.ip,
        hostIP: this.deps.config.network.hostIP,
        nodeName: this.deps.config.nodeName,
      };
      const readData = this.deps.api.readData.bind(this.deps.api);
      this.launch = await resolveContainerLaunch(this.pod, this.container, {
        ...fields,
        serviceEnv: this.deps.serviceEnv,
        imageEntrypoints: this.deps.config.imageEntrypoints,
        readData,
      });
      // Volumes need the pod's own mount namespace (bridge networks); on loopback they are not mounted.
      if (this.address?.netns && this.mounts === undefined) {
        this.mounts = await preparePodVolumes(this.pod, this.container, {
          podDir: this.dir,
          readData,
          requestToken: (pod, audience, seconds) => this.deps.api.requestToken(pod, audience, seconds),
          claimPath: (namespace, claim) => this.deps.api.claimPath(namespace, claim),
          fieldValue: (path) => fieldValue(this.pod, path, fields),
        });
      }
    } catch (error) {
      const reason = error instanceof ContainerStartError ? error.reason : 'CreateContainerError';
      const message = error instanceof Error ? error.message : String(error);
      this.deps.api.recordEvent(this.pod, 'Warning', 'Failed', `Error: ${message}`);
      this.setWaiting(reason, message);
      // The kubelet retries config errors (a ConfigMap may appear later).
      this.after(this.backoffMs(), () => void this.runContainer());
      return;
    }
    if (this.terminating) return; // deleted while env was being resolved
    const launch = this.launch;
    // The same isolation on each (re)start: pod network, private /tmp (bridge networks: the agent
    // has the privileges), killed with the agent.
    const isolated = this.address?.netns
      ? withPrivateTmp(this.tmpDir(), launch.command, launch.args, this.mounts)
      : { command: launch.command, args: launch.args };
    const inNetwork = this.deps.addresses.wrap(this.address!, isolated.command, isolated.args);
    const wrapped = killWithParent(inNetwork.command, inNetwork.args);
    const logPath = join(this.dir, `${this.container.name}.log`);
    const output = openSync(logPath, 'a');
    const cwd = launch.cwd && existsSync(launch.cwd) ? launch.cwd : this.dir;
    const child = spawn(wrapped.command, wrapped.args, {
      env: launch.env,
      cwd,
      detached: true,
      stdio: ['ignore', output, output],
    });
    closeSync(output);
    this.child = child;
    const startedAt = new Date();
    this.childExited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.onContainerExit(code, signal, startedAt);
        resolve();
      });
      child.once('error', (error) => {
        // spawn failed (e.g. command not found): the container never ran.
        this.child = undefined;
        this.deps.api.recordEvent(this.pod, 'Warning', 'Failed', `Error: ${error.message}`);
        this.onContainerExit(127, null, startedAt, error.message);
        resolve();
      });
    });
    if (child.pid !== undefined)
      writeFileSync(join(this.dir, `${this.container.name}.pid`), String(child.pid));
    this.state = { kind: 'running', startedAt };
    this.started = true;
    this.phase = 'Running';
    this.deps.log(`${this.label}: started ${launch.command} (pid ${child.pid}) on ${this.address!.ip}`);
    this.deps.api.recordEvent(this.pod, 'Normal', 'Started', `Started container ${this.container.name}`);
    this.startProbes();
    this.writeStatus();
  }

  private startProbes(): void {
    const address = this.address!;
    this.probes = new ContainerProbes({
      container: this.container,
      target: {
        podIP: address.ip,
        container: this.container,
        env: this.launch!.env,
        wrap: (command, args) => this.deps.addresses.wrap(address, command, args),
      },
      onReady: (ready, message) => {
        this.ready = ready;
        if (!ready)
          this.deps.api.recordEvent(this.pod, 'Warning', 'Unhealthy', `Readiness probe failed: ${message}`);
        this.writeStatus();
      },
      onUnhealthy: (probe, message) => {
        this.deps.api.recordEvent(this.pod, 'Warning', 'Unhealthy', `${probe} probe failed: ${message}`);
        void this.stopContainer(this.terminationGraceMs());
      },
    });
    this.probes.start();
  }

  private stopProbes(): void {
    this.probes?.stop();
    this.probes = undefined;
  }

  private onContainerExit(
    code: number | null,
    signal: NodeJS.Signals | null,
    startedAt: Date,
    message?: string,
  ): void {
    this.child = undefined;
    rmSync(join(this.dir, `${this.container.name}.pid`), { force: true });
    this.stopProbes();
    this.ready = false;
    const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
    const terminated: Extract<ContainerState, { kind: 'terminated' }> = {
      kind: 'terminated',
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt,
      finishedAt: new Date(),
      ...(message ? { message } : {}),
    };
    this.deps.log(`${this.label}: container exited with ${exitCode}${signal ? ` (${signal})` : ''}`);
    if (this.finished) return;
    if (this.terminating) {
      this.state = terminated;
      if (this.phase !== 'Failed') this.phase = exitCode === 0 ? 'Succeeded' : 'Failed';
      this.writeStatus();
      return;
    }
    const policy = this.pod.spec?.restartPolicy ?? 'Always';
    const restart = policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
    if (restart) {
      this.lastTerminated = terminated;
      const delay = this.backoffMs();
      this.state = {
        kind: 'waiting',
        reason: 'CrashLoopBackOff',
        message: `back-off ${delay} ms restarting failed container`,
      };
      this.deps.api.recordEvent(this.pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
      this.writeStatus();
      this.after(delay, () => {
        this.restartCount++;
        void this.runContainer();
      });
      return;
    }
    this.state = terminated;
    this.phase = exitCode === 0 ? 'Succeeded' : 'Failed';
    this.clearTimers();
    // Like the kubelet tearing down a finished pod's sandbox: the address is free again (the status
    // keeps showing it).
    void this.releaseAddress();
    this.writeStatus();
  }

  private tmpDir(): string {
    const dir = join(this.dir, 'tmp');
    mkdirSync(dir, { recursive: true, mode: 0o1777 });
    chmodSync(dir, 0o1777);
    return dir;
  }

  private backoffMs(): number {
    const { restartBackoffBaseMs, restartBackoffMaxMs } = this.deps.config;
    return Math.min(restartBackoffBaseMs * 2 ** this.restartCount, restartBackoffMaxMs);
  }

  private terminationGraceMs(): number {
    return (this.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
  }

  private async failDeadline(seconds: number): Promise<void> {
    if (this.terminating || this.phase === 'Succeeded' || this.phase === 'Failed') return;
    this.terminating = true;
    this.phase = 'Failed';
    this.phaseReason = {
      reason: 'DeadlineExceeded',
      message: `Pod was active on the node longer than the specified deadline (${seconds}s)`,
    };
    this.deps.api.recordEvent(this.pod, 'Normal', 'DeadlineExceeded', this.phaseReason.message);
    await this.stopContainer(this.terminationGraceMs());
    if (this.state.kind === 'waiting')
      this.state = {
        kind: 'terminated',
        exitCode: 137,
        reason: 'DeadlineExceeded',
        startedAt: this.startTime,
        finishedAt: new Date(),
      };
    this.writeStatus();
  }

  private async terminateThenDelete(graceSeconds: number): Promise<void> {
    this.terminating = true;
    this.clearTimers();
    if (this.child)
      this.deps.api.recordEvent(this.pod, 'Normal', 'Killing', `Stopping container ${this.container.name}`);
    await this.stopContainer(graceSeconds * 1000);
    this.finished = true;
    await this.flushStatus();
    await this.cleanup();
    try {
      await this.deps.api.deleteNow(this.pod);
    } catch (error) {
      this.deps.log(`${this.label}: final delete failed: ${String(error)}`);
    }
    this.deps.onGone(this.uid);
  }

  /** SIGTERM to the container's process group, SIGKILL after the grace period; resolves once it exited. */
  private async stopContainer(graceMs: number): Promise<void> {
    this.stopProbes();
    const child = this.child;
    if (!child?.pid) return;
    signalGroup(child.pid, graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
    const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
    await this.childExited;
    clearTimeout(timer);
    signalGroup(child.pid, 'SIGKILL'); // anything the container left behind in its group
  }

  private async cleanup(): Promise<void> {
    this.clearTimers();
    await this.releaseAddress();
    rmSync(join(this.dir, `${this.container.name}.pid`), { force: true });
  }

  private async releaseAddress(): Promise<void> {
    if (!this.address || this.addressReleased) return;
    this.addressReleased = true;
    await this.deps.addresses.release(this.address);
  }

  private setWaiting(reason: string, message: string): void {
    this.state = { kind: 'waiting', reason, message };
    this.writeStatus();
  }

  private after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private writeStatus(): void {
    this.statusWriter.request();
  }

  private flushStatus(): Promise<void> {
    return this.statusWriter.flush();
  }

  private async patchStatus(): Promise<void> {
    const status = buildPodStatus({
      pod: this.pod,
      container: this.container,
      phase: this.phase,
      phaseReason: this.phaseReason,
      podIP: this.address?.ip,
      hostIP: this.deps.config.network.hostIP,
      startTime: this.startTime,
      state: this.state,
      lastTerminated: this.lastTerminated,
      restartCount: this.restartCount,
      ready: this.ready,
      started: this.started && this.state.kind === 'running',
      conditionSince: this.conditionSince,
    });
    await this.deps.api.patchStatus(this.pod, status);
  }

  private onStatusWriteFailure(error: unknown): WriteFailure {
    if (isNotFound(error)) {
      if (!this.finished) void this.kill();
      return 'stop';
    }
    const code = (error as { code?: number }).code;
    this.deps.log(`${this.label}: status update failed (${code ?? 'no response'}): ${String(error)}`);
    // Conflicts, throttling, server errors and lost connections pass; other 4xx would repeat.
    return code === undefined || code === 409 || code === 429 || code >= 500 ? 'retry' : 'drop';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

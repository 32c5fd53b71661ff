import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

export interface LaunchOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** The complete environment: nothing of the control plane's own is inherited. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Names the process in log lines, e.g. `word-stats/3`. */
  readonly label: string;
  /**
   * The process a graceful stop (SIGTERM) goes to, found from the launched one; by default the
   * whole process group. A sandbox whose outer process dies of SIGTERM names the watchdog inside.
   */
  readonly drainPid?: (pid: number) => number | undefined;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (spawn error). */
  readonly spawnError?: string;
}

/** A process started in its own process group. */
export interface LaunchedProcess {
  readonly pid: number | undefined;
  readonly exited: Promise<ExitStatus>;
  hasExited(): boolean;
  /** The last lines the process wrote to stderr (the watchdog logs there). */
  stderrTail(): string;
  /** Calls `listener` with every further stderr line; returns a function that unsubscribes. */
  onStderrLine(listener: (line: string) => void): () => void;
  /** Sends `signal` to the whole process group; no-op once the process is gone. */
  signalGroup(signal: NodeJS.Signals): void;
  /** SIGTERM to the group, then SIGKILL to the group after `graceMs`; resolves on exit. */
  stop(graceMs: number): Promise<ExitStatus>;
}

export interface ProcessLauncher {
  launch(options: LaunchOptions): LaunchedProcess;
}

/** Receives every stderr line of every launched process. */
export type ProcessLogSink = (label: string, line: string) => void;

const TAIL_LINES = 20;
/**
 * A longer run without a newline is passed on as a line of its own. The watchdog cuts lines far
 * below this; the bound is for anything else that writes to its stderr.
 */
const MAX_PARTIAL_LINE_CHARS = 256 * 1024;

/** Starts processes detached (own process group) so a group kill reaches everything they spawned. */
export function createProcessLauncher(logSink: ProcessLogSink): ProcessLauncher {
  return {
    launch(options) {
      return launchDetached(options, logSink);
    },
  };
}

function launchDetached(options: LaunchOptions, logSink: ProcessLogSink): LaunchedProcess {
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const tail: string[] = [];
  const listeners = new Set<(line: string) => void>();
  let exitStatus: ExitStatus | undefined;
  let spawnError: string | undefined;

  const decoder = new StringDecoder('utf8');
  let partial = '';
  const onLine = (line: string) => {
    if (line === '') return;
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    logSink(options.label, line);
    for (const listener of listeners) listener(line);
  };
  child.stderr?.on('data', (chunk: Buffer) => {
    const lines = (partial + decoder.write(chunk)).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
    if (partial.length > MAX_PARTIAL_LINE_CHARS) {
      onLine(partial);
      partial = '';
    }
  });

  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = `cannot start ${options.command}: ${error.code ?? ''} ${error.message}`.trim();
      // 'close' does not follow a failed spawn.
      if (child.pid === undefined) finish(null, null);
    });
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (exitStatus !== undefined) return;
      onLine(partial + decoder.end());
      partial = '';
      exitStatus = spawnError === undefined ? { code, signal } : { code, signal, spawnError };
      resolve(exitStatus);
    };
    child.once('close', finish);
  });

  const signalGroup = (signal: NodeJS.Signals) => {
    if (exitStatus !== undefined || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  };

  const signalDrain = () => {
    const target = child.pid === undefined ? undefined : options.drainPid?.(child.pid);
    if (target === undefined || exitStatus !== undefined) return signalGroup('SIGTERM');
    try {
      process.kill(target, 'SIGTERM');
    } catch {
      signalGroup('SIGTERM');
    }
  };

  return {
    pid: child.pid,
    exited,
    hasExited: () => exitStatus !== undefined,
    stderrTail: () => tail.join('\n'),
    onStderrLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    signalGroup,
    async stop(graceMs) {
      if (exitStatus !== undefined) return exitStatus;
      signalDrain();
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          signalGroup('SIGKILL');
          resolve();
        }, graceMs);
      });
      await Promise.race([exited, killed]);
      clearTimeout(timer);
      return exited;
    },
  };
}

/** One line describing how a process ended, for error messages. */
export function describeExit(status: ExitStatus): string {
  if (status.spawnError !== undefined) return status.spawnError;
  if (status.signal !== null) return `killed by ${status.signal}`;
  return `exited with code ${status.code}`;
}

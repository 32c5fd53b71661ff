import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { killWithParent } from './parent-death.js';

export interface ManagedProcessOptions {
  /** Short name used in errors and as the log file name (`<logDir>/<name>.log`). */
  name: string;
  command: string;
  args: string[];
  logPath: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * A long-running child process of the test bed: stdout and stderr go to a log file, it runs in its
 * own process group (so a stop also reaches anything it started), and `stop()` is idempotent:
 * SIGTERM to the group, then SIGKILL after the grace period.
 */
export class ManagedProcess {
  readonly name: string;
  readonly logPath: string;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;

  private constructor(options: ManagedProcessOptions) {
    this.name = options.name;
    this.logPath = options.logPath;
    this.log = createWriteStream(options.logPath, { flags: 'a' });
    const wrapped = killWithParent(options.command, options.args);
    this.child = spawn(wrapped.command, wrapped.args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdout?.pipe(this.log, { end: false });
    this.child.stderr?.pipe(this.log, { end: false });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      });
      this.child.once('error', (error) => {
        this.log.write(`\n[testbed] spawn ${options.command} failed: ${error.message}\n`);
        this.exitInfo ??= { code: null, signal: null };
        resolve();
      });
    });
    liveGroups.add(this);
  }

  static start(options: ManagedProcessOptions): ManagedProcess {
    return new ManagedProcess(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Undefined while running; the exit code/signal once it ended. */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }

  /** Throws a clear error if the process has already exited (used while waiting for readiness). */
  assertRunning(): void {
    if (this.exitInfo) {
      const how = this.exitInfo.signal ? `signal ${this.exitInfo.signal}` : `code ${this.exitInfo.code}`;
      throw new Error(`${this.name} exited early (${how}); see ${this.logPath}`);
    }
  }

  async stop(graceMs = 5000): Promise<void> {
    if (!this.exitInfo) {
      signalGroup(this.child.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(this.child.pid, 'SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    // Children of the process that outlived it (same group) get no second chance.
    signalGroup(this.child.pid, 'SIGKILL');
    liveGroups.delete(this);
    if (!this.log.closed) {
      this.log.end();
      await once(this.log, 'close').catch(() => undefined);
    }
  }

  /** Synchronous last resort for process exit: SIGKILL the whole group. */
  killNow(): void {
    signalGroup(this.child.pid, 'SIGKILL');
    liveGroups.delete(this);
  }
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

// Whatever ends the host process (a failed test, an uncaught error, Ctrl-C), no test bed process
// may outlive it. 'exit' handlers must be synchronous, hence SIGKILL.
const liveGroups = new Set<ManagedProcess>();
const killAll = (): void => {
  for (const managed of liveGroups) managed.killNow();
};
process.once('exit', killAll);
// A signal that ends the process skips 'exit' handlers. When nobody else handles the signal, kill the
// groups and die of the same signal; an application with its own handler (the CLI) stops gracefully.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  const onSignal = (): void => {
    if (process.listenerCount(signal) > 1) return;
    killAll();
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  };
  process.on(signal, onSignal);
}

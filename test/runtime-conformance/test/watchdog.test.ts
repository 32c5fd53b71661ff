import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startCallbackServer } from '../src/callback-server.js';
import { invoke } from '../src/http-client.js';
import { WATCHDOG } from '../src/repository.js';
import { freePort, runToCompletion } from '../src/run-process.js';
import type { RuntimeCommand } from '../src/runtime-descriptor.js';
import { caseOptions, selectRuntimes } from '../src/select-runtimes.js';
import { type ServedRuntime, serveRuntime } from '../src/served-runtime.js';

// The runtime as the platform runs it: behind the real watchdog binary (built by `npm run build`).
const noWatchdog = existsSync(WATCHDOG) ? false : `no watchdog binary at ${WATCHDOG} (run npm run build)`;

/** WATCHDOG_CMD for an argv: the watchdog splits it like a POSIX shell (and never runs a shell). */
function watchdogCommand(argv: readonly string[]): string {
  return argv
    .map((arg) => (/^[\w./:@%+=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

/** The watchdog, warm, running `command` in `mode`. */
async function serveBehindWatchdog(
  mode: 'HTTP' | 'STDIO' | 'FILE',
  command: RuntimeCommand,
): Promise<ServedRuntime> {
  const env: Record<string, string> = {
    ...command.env,
    WARM: 'true',
    EXECUTION_MODE: mode,
    WATCHDOG_CMD: watchdogCommand(command.argv),
    FUNCTION_NAME: 'conformance',
  };
  if (mode === 'HTTP') env['RUNTIME_PORT'] = String(await freePort());
  return serveRuntime({ argv: [WATCHDOG], ...(command.cwd === undefined ? {} : { cwd: command.cwd }) }, env);
}

for (const { descriptor, skip } of await selectRuntimes()) {
  const at = (id: string) => caseOptions(descriptor, id);

  describe(`${descriptor.name} runtime behind the watchdog`, { skip: skip || noWatchdog }, () => {
    const served = new Map<string, ServedRuntime>();
    before(async () => {
      served.set('HTTP', await serveBehindWatchdog('HTTP', descriptor.http()));
      served.set('STDIO', await serveBehindWatchdog('STDIO', descriptor.stdio()));
      served.set('FILE', await serveBehindWatchdog('FILE', descriptor.file()));
    });
    after(async () => {
      await Promise.all([...served.values()].map((runtime) => runtime.stop()));
    });

    for (const mode of ['HTTP', 'STDIO', 'FILE'] as const) {
      it(
        `${mode}: answers with the output and passes the function's error code through`,
        at(`watchdog-${mode.toLowerCase()}`),
        async () => {
          const url = served.get(mode)?.url ?? '';
          const ok = await invoke(
            url,
            { input: { echo: [1, 'two', { three: null }] } },
            { 'X-Execution-Id': 'wd-1' },
          );
          assert.equal(ok.status, 200, ok.text);
          assert.equal(ok.text, '{"echo":[1,"two",{"three":null}]}');
          const seen = await invoke(
            url,
            { input: { action: 'describe' }, metadata: { k: 'v' } },
            { 'X-Execution-Id': 'wd-2' },
          );
          assert.equal(seen.status, 200, seen.text);
          const described = seen.json() as { executionId: string; metadata: unknown; functionName: string };
          assert.equal(described.executionId, 'wd-2');
          assert.deepEqual(described.metadata, { k: 'v' });
          assert.equal(described.functionName, 'conformance');
          const failed = await invoke(url, {
            input: { action: 'fail', code: 'OUT_OF_STOCK', message: 'none' },
          });
          assert.equal(failed.status, 500, failed.text);
          const { error } = failed.json() as { error: { code: string; message: string; origin: string } };
          assert.deepEqual([error.code, error.message, error.origin], ['OUT_OF_STOCK', 'none', 'function']);
        },
      );
    }

    it(
      'one-shot STDIO: the watchdog posts the output, or the error code, to the callback',
      at('watchdog-one-shot'),
      async () => {
        const callback = await startCallbackServer([200]);
        try {
          const command = descriptor.stdio();
          const run = (payload: unknown, id: string) =>
            runToCompletion(
              { argv: [WATCHDOG], ...(command.cwd === undefined ? {} : { cwd: command.cwd }) },
              {
                ...command.env,
                EXECUTION_MODE: 'STDIO',
                WATCHDOG_CMD: watchdogCommand(command.argv),
                EXECUTION_ID: id,
                CALLBACK_URL: callback.callbackUrl,
                INVOCATION_PAYLOAD: JSON.stringify(payload),
              },
            );
          const ok = await run({ input: { n: 1 } }, 'wd-ok');
          assert.equal(ok.code, 0, ok.stderr);
          const failed = await run({ input: { action: 'fail', code: 'NOPE', message: 'no' } }, 'wd-fail');
          assert.equal(failed.code, 1, failed.stderr);
          const bodies = Object.fromEntries(
            callback.received.map((r) => [r.path, JSON.parse(r.body) as unknown]),
          );
          assert.deepEqual(bodies['/v1/internal/executions/wd-ok:complete'], {
            success: true,
            output: { n: 1 },
          });
          const failure = bodies['/v1/internal/executions/wd-fail:complete'] as {
            success: boolean;
            error: { code: string };
          };
          assert.equal(failure.success, false);
          assert.equal(failure.error.code, 'NOPE');
        } finally {
          await callback.close();
        }
      },
    );
  });
}

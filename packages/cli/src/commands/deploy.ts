import { spawn } from 'node:child_process';
import { relative } from 'node:path';
import type { FunctionResponse } from '@nanofaas/contracts';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { type CliContext, type CliIo, contextOf } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { loadManifest, MANIFEST_FILE, type Manifest } from '../manifest.js';
import { startStep } from '../progress.js';
import { printable } from '../terminal.js';
import { functionRow } from './functions.js';

interface DeployOptions {
  file: string;
  wait: boolean;
  dryRun?: boolean;
  waitTimeout: string;
}

/** Lines of a failed build step's output shown in the error. */
const BUILD_OUTPUT_LINES = 30;

export function registerDeploy(program: Command, io: CliIo): void {
  program
    .command('deploy')
    .description('build (x-build steps), register or update the function of nanofaas.yaml, wait until ready')
    .option('-f, --file <manifest>', 'the manifest', MANIFEST_FILE)
    .option('--no-wait', 'do not wait for the function to be ready')
    .option('--wait-timeout <ms>', 'how long to wait for ready', '120000')
    .option('--dry-run', 'print the FunctionSpec it would send, and stop')
    .addHelpText(
      'after',
      '\nExamples:\n  $ nanofaas deploy\n  $ nanofaas deploy -f hello/nanofaas.yaml --dry-run --output yaml',
    )
    .action(async (options: DeployOptions, command: Command) => {
      const ctx = contextOf(io, command);
      const waitTimeoutMs = Number(options.waitTimeout);
      if (!/^\d+$/.test(options.waitTimeout) || waitTimeoutMs < 1) {
        throw new CliError(`--wait-timeout must be a positive number of milliseconds`, ExitCode.usage);
      }
      const manifest = loadManifest(options.file, io.cwd, io.env);
      if (options.dryRun) {
        if (ctx.output === 'yaml') ctx.terminal.print(stringify(manifest.spec, { lineWidth: 0 }));
        else ctx.terminal.print(JSON.stringify(manifest.spec, null, 2));
        return;
      }
      for (const step of manifest.build) await runBuildStep(ctx, manifest, step);
      const name = manifest.spec.name;
      const existing = await ctx.client.request('GET', `/v1/functions/${name}`);
      if (existing.status !== 200 && existing.status !== 404) throw ctx.client.errorOf(existing);
      const registering = startStep(
        ctx.terminal,
        existing.status === 404 ? `registering ${name}` : `updating ${name}`,
      );
      const body = JSON.stringify(manifest.spec);
      const saved = await (existing.status === 404
        ? ctx.client.request('POST', '/v1/functions', { body })
        : ctx.client.request('PUT', `/v1/functions/${name}`, { body }));
      if (saved.status !== 200 && saved.status !== 201) {
        registering.fail();
        throw ctx.client.errorOf(saved);
      }
      const revision = (saved.json as FunctionResponse).revision;
      registering.succeed(
        `${existing.status === 404 ? 'registered' : 'updated'} ${name} (revision ${revision})`,
      );
      const fn = options.wait
        ? await waitUntilReady(ctx, name, waitTimeoutMs)
        : (saved.json as FunctionResponse);
      ctx.printResult(fn, () => [['NAME', 'MODE', 'STATE', 'READY', 'REVISION'], functionRow(fn)]);
    });
}

/** Runs one x-build step with sh in the manifest's folder; its output is shown only when it fails. */
async function runBuildStep(ctx: CliContext, manifest: Manifest, step: string): Promise<void> {
  const shown = step.length > 80 ? `${step.slice(0, 77)}…` : step;
  const progress = startStep(ctx.terminal, `building: ${shown}`);
  const child = spawn('/bin/sh', ['-c', step], {
    cwd: manifest.dir,
    env: ctx.io.env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-64 * 1024);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      output += String(error);
      resolve(null);
    });
    child.once('close', (exit) => resolve(exit));
  });
  if (code === 0) {
    progress.succeed(`built: ${shown}`);
    return;
  }
  progress.fail(`build failed: ${shown}`);
  const tail = output.trimEnd().split('\n').slice(-BUILD_OUTPUT_LINES).map(printable).join('\n');
  throw new CliError(
    `build step failed (exit ${code ?? 'error'}) in ${relative(ctx.io.cwd, manifest.dir) || '.'}: ${step}${tail === '' ? '' : `\n${tail}`}`,
    ExitCode.deployFailed,
  );
}

/** Polls the function until it is ready (or scaled to zero, or a one-shot REMOTE function). */
async function waitUntilReady(ctx: CliContext, name: string, timeoutMs: number): Promise<FunctionResponse> {
  const step = startStep(ctx.terminal, `waiting for ${name} to be ready`);
  const deadline = Date.now() + timeoutMs;
  let delayMs = 50;
  for (;;) {
    const reply = await ctx.client.request('GET', `/v1/functions/${name}`);
    if (reply.status !== 200) {
      step.fail();
      throw ctx.client.errorOf(reply);
    }
    const fn = reply.json as FunctionResponse;
    const status = fn.status;
    const state = status?.state;
    if (state === 'ready' || state === 'scaled-to-zero' || status === undefined) {
      step.succeed(
        `${name} is ${state ?? 'registered'}${status === undefined ? '' : ` (${status.readyReplicas}/${status.replicas} replicas ready)`}`,
      );
      return fn;
    }
    if (state === 'failed') {
      step.fail(`${name} failed to start`);
      throw new CliError(
        `function "${name}" failed to start: ${printable(status?.message ?? 'no message')}`,
        ExitCode.deployFailed,
        `\`nanofaas logs ${name}\` shows what it wrote`,
      );
    }
    if (Date.now() > deadline) {
      step.fail(`${name} is still ${state} after ${timeoutMs} ms`);
      throw new CliError(
        `function "${name}" did not become ready within ${timeoutMs} ms (state ${state}: ${printable(status?.message ?? '')})`,
        ExitCode.deployFailed,
        `\`nanofaas logs ${name}\` shows what it wrote; --wait-timeout waits longer`,
      );
    }
    step.update(
      `waiting for ${name} to be ready (${state}, ${status?.readyReplicas ?? 0}/${status?.replicas ?? 0})`,
    );
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 500);
  }
}

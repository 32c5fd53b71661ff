import { readFileSync } from 'node:fs';
import {
  type EnqueueResponse,
  type ErrorInfo,
  type ExecutionStatus,
  FunctionLimits,
  Headers,
  isTerminalState,
} from '@nanofaas/contracts';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { type CliContext, type CliIo, contextOf } from '../context.js';
import { CliError, ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { startStep } from '../progress.js';
import { rawMember } from '../raw-json.js';
import { printable } from '../terminal.js';
import { functionNameArg } from './functions.js';

interface InvokeOptions {
  data?: string;
  file?: string;
  async?: boolean;
  wait?: boolean;
  header: string[];
  timeout?: string;
  idempotencyKey?: string;
}

/** What an invocation ended as: a sync InvocationResponse or an async ExecutionStatus. */
interface Outcome {
  readonly executionId: string;
  readonly status: string;
  readonly error?: ErrorInfo;
  readonly coldStart?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerInvoke(program: Command, io: CliIo): void {
  program
    .command('invoke')
    .argument('<name>', 'function name')
    .description('invoke a function: the output on stdout, status and timing on stderr')
    .option('-d, --data <json>', 'the input as JSON (default: stdin when it is not a terminal, else null)')
    .option('-f, --file <path>', 'read the input JSON from a file ("-": stdin)')
    .option('--async', 'queue the invocation durably and print its execution id')
    .option('--wait', 'with --async: follow the execution to its end and print its output')
    .option('-H, --header <header>', 'extra request header "Name: value" (repeatable)', collect, [])
    .option('--timeout <ms>', 'upper bound of the whole wait in milliseconds (X-Timeout-Ms)')
    .option('--idempotency-key <key>', 'the same key and payload return the same execution')
    .addHelpText(
      'after',
      `\nExamples:\n  $ nanofaas invoke hello --data '{"name":"Ada"}'\n  $ echo '"text"' | nanofaas invoke hello\n  $ nanofaas invoke hello --async --wait --file input.json`,
    )
    .action(async (name: string, options: InvokeOptions, command: Command) => {
      const ctx = contextOf(io, command);
      functionNameArg(name);
      if (options.wait && !options.async) throw new CliError('--wait goes with --async', ExitCode.usage);
      const input = await readInput(io, options);
      const headers = requestHeaders(options);
      const body = `{"input":${input}}`;
      const started = performance.now();
      if (!options.async) {
        const reply = await ctx.client.request('POST', `/v1/functions/${name}:invoke`, { body, headers });
        const outcome = reply.json as Outcome | undefined;
        if (outcome?.executionId === undefined || outcome.status === undefined)
          throw ctx.client.errorOf(reply);
        exitWith(report(ctx, outcome, reply.text, performance.now() - started));
        return;
      }
      const queued = await ctx.client.expect('POST', `/v1/functions/${name}:enqueue`, { body, headers });
      const { executionId } = queued.json as EnqueueResponse;
      if (!options.wait) {
        if (ctx.output === 'table') ctx.terminal.print(executionId);
        else ctx.printResult(queued.json, () => []);
        ctx.terminal.note(
          `${ctx.terminal.err.green('✔')} queued ${ctx.terminal.err.dim(`· nanofaas executions get ${executionId}`)}`,
        );
        return;
      }
      const { status, text } = await waitForEnd(ctx, executionId);
      exitWith(report(ctx, status, text, performance.now() - started));
    });
}

async function readInput(io: CliIo, options: InvokeOptions): Promise<string> {
  let text: string;
  let source: string;
  if (options.data !== undefined && options.file !== undefined) {
    throw new CliError('pass --data or --file, not both', ExitCode.usage);
  }
  if (options.data !== undefined) {
    text = options.data;
    source = '--data';
  } else if (options.file !== undefined) {
    source = options.file === '-' ? 'stdin' : options.file;
    try {
      text = options.file === '-' ? await readAll(io.stdin) : readFileSync(options.file, 'utf8');
    } catch (error) {
      throw new CliError(
        `--file ${options.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        ExitCode.usage,
      );
    }
  } else if (io.stdin.isTTY !== true) {
    text = await readAll(io.stdin);
    source = 'stdin';
    if (text.trim() === '') text = 'null';
  } else {
    text = 'null';
    source = 'default';
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `${source} is not valid JSON: ${(error as Error).message}`,
      ExitCode.usage,
      `a string needs JSON quotes: --data '"hello"'`,
    );
  }
  // Sent as written: the function gets these bytes, not a re-encoding of them.
  return text.trim();
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function requestHeaders(options: InvokeOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const header of options.header) {
    const colon = header.indexOf(':');
    const key = header.slice(0, colon).trim();
    if (colon < 1 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) {
      throw new CliError(`--header must be "Name: value" (got "${header}")`, ExitCode.usage);
    }
    headers[key] = header.slice(colon + 1).trim();
  }
  if (options.timeout !== undefined) {
    const ms = Number(options.timeout);
    if (!/^\d+$/.test(options.timeout) || ms < 1 || ms > FunctionLimits.maxTimeoutMs) {
      throw new CliError(
        `--timeout must be milliseconds from 1 to ${FunctionLimits.maxTimeoutMs} (got "${options.timeout}")`,
        ExitCode.usage,
      );
    }
    headers[Headers.timeoutMs] = String(ms);
  }
  if (options.idempotencyKey !== undefined) headers[Headers.idempotencyKey] = options.idempotencyKey;
  return headers;
}

/** Polls the execution until it is terminal; a spinner on a terminal shows its state meanwhile. */
export async function waitForEnd(
  ctx: CliContext,
  id: string,
): Promise<{ status: ExecutionStatus; text: string }> {
  const step = startStep(ctx.terminal, `waiting for ${id}`);
  let delayMs = 100;
  for (;;) {
    const reply = await ctx.client
      .request('GET', `/v1/executions/${encodeURIComponent(id)}`)
      .catch((error: unknown) => {
        step.fail();
        throw error;
      });
    if (reply.status !== 200) {
      step.fail();
      throw ctx.client.errorOf(reply);
    }
    const status = reply.json as ExecutionStatus;
    if (isTerminalState(status.status)) {
      step.succeed(`${id} ${status.status}`);
      return { status, text: reply.text };
    }
    step.update(`waiting for ${id} (${status.status}, attempt ${status.attempt})`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 1000);
  }
}

/** Ends the command with `code` after its output was printed (no further message). */
function exitWith(code: ExitCodeValue): void {
  if (code !== ExitCode.ok) throw new CliError('', code);
}

/** Prints the outcome (output on stdout, status line on stderr) and returns the exit code. */
function report(ctx: CliContext, outcome: Outcome, text: string, elapsedMs: number): ExitCodeValue {
  const { err } = ctx.terminal;
  switch (ctx.output) {
    case 'json':
      ctx.terminal.print(text.trim());
      break;
    case 'yaml':
      ctx.terminal.print(stringify(JSON.parse(text), { lineWidth: 0 }));
      break;
    case 'table': {
      const output = rawMember(text, 'output');
      if (outcome.status === 'success') ctx.terminal.print(output ?? 'null');
      break;
    }
  }
  const timing = `${Math.round(elapsedMs)} ms${outcome.coldStart ? ', cold start' : ''}`;
  if (outcome.status === 'success') {
    ctx.terminal.note(`${err.green('✔')} success ${err.dim(`${outcome.executionId} · ${timing}`)}`);
    return ExitCode.ok;
  }
  const error = outcome.error;
  const origin = error?.origin === 'function' ? 'the function' : 'the platform';
  ctx.terminal.note(
    `${err.red('✖')} ${outcome.status}: ${printable(`${error?.code ?? 'UNKNOWN'}: ${error?.message ?? ''}`)} ${err.dim(`(${origin}; ${outcome.executionId} · ${timing})`)}`,
  );
  if (outcome.status === 'timeout') return ExitCode.timeout;
  return error?.origin === 'function' ? ExitCode.functionFailed : ExitCode.platform;
}

import { type LogEntry, type LogList, LogQueryLimits, parseLogSince } from '@nanofaas/contracts';
import type { Command } from 'commander';
import { type CliContext, type CliIo, contextOf } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { printable } from '../terminal.js';
import { functionNameArg } from './functions.js';

interface LogsOptions {
  follow?: boolean;
  execution?: string;
  since?: string;
  limit?: string;
}

export function registerLogs(program: Command, io: CliIo): void {
  program
    .command('logs')
    .argument('[name]', 'function name (or --execution)')
    .description("show what a function's processes wrote (stderr, stdout, watchdog warnings)")
    .option('-f, --follow', 'keep printing new lines (an execution: until it ends)')
    .option('-e, --execution <id>', 'only the lines of this execution')
    .option('--since <when>', 'only newer lines: a duration (90s, 10m, 2h, 1d) or an RFC 3339 time')
    .option('--limit <n>', `at most the last n lines (1 … ${LogQueryLimits.maxLimit})`)
    .addHelpText(
      'after',
      '\nExamples:\n  $ nanofaas logs hello --since 10m\n  $ nanofaas logs --execution 01a2… --follow',
    )
    .action(async (name: string | undefined, options: LogsOptions, command: Command) => {
      const ctx = contextOf(io, command);
      if (name === undefined && options.execution === undefined) {
        throw new CliError('logs needs a function name or --execution <id>', ExitCode.usage);
      }
      const query = new URLSearchParams();
      if (options.since !== undefined) {
        if (parseLogSince(options.since, Date.now()) === undefined) {
          throw new CliError(
            `--since must be a duration such as 90s, 10m, 2h, 1d or an RFC 3339 time (got "${options.since}")`,
            ExitCode.usage,
          );
        }
        query.set('since', options.since);
      }
      if (options.limit !== undefined) query.set('limit', options.limit);
      if (options.follow) query.set('follow', 'true');
      const path =
        options.execution !== undefined
          ? `/v1/executions/${encodeURIComponent(options.execution)}/logs`
          : `/v1/functions/${functionNameArg(name!)}/logs`;
      const url = `${path}${query.size > 0 ? `?${query}` : ''}`;
      if (!options.follow) {
        const reply = await ctx.client.expect('GET', url);
        const list = reply.json as LogList;
        if (ctx.output === 'table')
          for (const entry of list.items) ctx.terminal.print(formatEntry(ctx, entry));
        else ctx.printResult(list, () => []);
        return;
      }
      await follow(ctx, url);
    });
}

/** Prints each NDJSON line of the stream as it arrives, until the server ends it or Ctrl-C. */
async function follow(ctx: CliContext, url: string): Promise<void> {
  const controller = new AbortController();
  const response = await ctx.client.stream(url, controller.signal);
  const decoder = new TextDecoder();
  let pending = '';
  const emit = (line: string) => {
    if (line.trim() === '') return;
    if (ctx.output === 'table') ctx.terminal.print(formatEntry(ctx, JSON.parse(line) as LogEntry));
    else ctx.terminal.print(line);
  };
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) emit(line);
  }
  emit(pending + decoder.decode());
}

/** `time stream [execution] line`, the line made safe for a terminal. */
function formatEntry(ctx: CliContext, entry: LogEntry): string {
  const { out } = ctx.terminal;
  const time = entry.timestamp.slice(11, 23);
  const stream =
    entry.stream === 'watchdog' ? out.yellow('watchdog') : entry.stream === 'stderr' ? 'stderr' : 'stdout';
  const id = entry.executionId === undefined ? '' : ` ${out.cyan(entry.executionId.slice(-12))}`;
  return `${out.dim(time)} ${stream}${id} ${printable(entry.line)}${entry.truncated ? out.dim(' …(cut)') : ''}`;
}

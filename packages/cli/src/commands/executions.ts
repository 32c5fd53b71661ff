import { EXECUTION_STATES, type ExecutionList, type ExecutionStatus } from '@nanofaas/contracts';
import type { Command } from 'commander';
import { type CliIo, contextOf } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { printable } from '../terminal.js';
import { functionNameArg } from './functions.js';

const HEADINGS = ['EXECUTION', 'FUNCTION', 'STATUS', 'ATTEMPT', 'CREATED', 'DURATION', 'ERROR'];

function executionRow(execution: ExecutionStatus): string[] {
  return [
    execution.executionId,
    execution.functionName,
    execution.status,
    String(execution.attempt),
    execution.createdAt,
    execution.durationMs === undefined ? '-' : `${Math.round(execution.durationMs)} ms`,
    execution.error === undefined
      ? ''
      : printable(`${execution.error.code}: ${execution.error.message}`).slice(0, 80),
  ];
}

export function registerExecutions(program: Command, io: CliIo): void {
  const executions = program
    .command('executions')
    .description('list and inspect executions')
    .addHelpText(
      'after',
      '\nExamples:\n  $ nanofaas executions list --status error\n  $ nanofaas executions get <id>',
    );
  executions
    .command('list')
    .alias('ls')
    .description('list executions, newest first')
    .option('--function <name>', 'only this function')
    .option('--status <status>', `only this status: ${EXECUTION_STATES.join(', ')}`)
    .option('--limit <n>', 'at most this many (1 … 1000)', '50')
    .addHelpText('after', '\nExample:\n  $ nanofaas executions list --function hello --status error')
    .action(async (options: { function?: string; status?: string; limit: string }, command: Command) => {
      const ctx = contextOf(io, command);
      const query = new URLSearchParams();
      if (options.function !== undefined) query.set('function', functionNameArg(options.function));
      if (options.status !== undefined) {
        if (!EXECUTION_STATES.some((state) => state === options.status)) {
          throw new CliError(`--status must be one of ${EXECUTION_STATES.join(', ')}`, ExitCode.usage);
        }
        query.set('status', options.status);
      }
      query.set('limit', options.limit);
      const reply = await ctx.client.expect('GET', `/v1/executions?${query}`);
      const list = reply.json as ExecutionList;
      ctx.printResult(list, () => [HEADINGS, ...list.items.map(executionRow)]);
    });
  executions
    .command('get')
    .argument('<id>', 'execution id')
    .description('status and result of one execution')
    .addHelpText('after', '\nExample:\n  $ nanofaas executions get 01a2… --output json')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextOf(io, command);
      const reply = await ctx.client.expect('GET', `/v1/executions/${encodeURIComponent(id)}`);
      const execution = reply.json as ExecutionStatus;
      if (ctx.output === 'json') ctx.terminal.print(reply.text);
      else ctx.printResult(execution, () => [HEADINGS, executionRow(execution)]);
    });
}

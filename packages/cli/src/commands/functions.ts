import { createInterface } from 'node:readline/promises';
import { explainInvalidFunctionName, type FunctionList, type FunctionResponse } from '@nanofaas/contracts';
import type { Command } from 'commander';
import { type CliIo, contextOf } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';

/** The function name of a command's argument, checked before any request. */
export function functionNameArg(name: string): string {
  const problem = explainInvalidFunctionName(name);
  if (problem !== undefined) throw new CliError(`function name "${name}": ${problem}`, ExitCode.usage);
  return name;
}

export function functionRow(fn: FunctionResponse): string[] {
  const status = fn.status;
  return [
    fn.name,
    `${fn.executionMode ?? 'DEPLOYMENT'}/${fn.runtimeMode ?? 'HTTP'}`,
    status?.state ?? '-',
    status === undefined ? '-' : `${status.readyReplicas}/${status.replicas}`,
    String(fn.revision),
  ];
}

const HEADINGS = ['NAME', 'MODE', 'STATE', 'READY', 'REVISION'];

/** list, get, delete, scale. */
export function registerFunctionCommands(program: Command, io: CliIo): void {
  program
    .command('list')
    .alias('ls')
    .description('list the registered functions with their state')
    .addHelpText('after', '\nExample:\n  $ nanofaas list --output json')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(io, command);
      const reply = await ctx.client.expect('GET', '/v1/functions');
      const list = reply.json as FunctionList;
      ctx.printResult(list, () => [HEADINGS, ...list.items.map(functionRow)]);
    });

  program
    .command('get')
    .argument('<name>', 'function name')
    .description('show a function: its spec and live status')
    .addHelpText('after', '\nExample:\n  $ nanofaas get hello --output yaml')
    .action(async (name: string, _options: unknown, command: Command) => {
      const ctx = contextOf(io, command);
      const reply = await ctx.client.expect('GET', `/v1/functions/${functionNameArg(name)}`);
      const fn = reply.json as FunctionResponse;
      ctx.printResult(fn, () => [HEADINGS, functionRow(fn)]);
    });

  program
    .command('delete')
    .alias('rm')
    .argument('<name>', 'function name')
    .option('-y, --yes', 'do not ask (always needed when stdin is not a terminal)')
    .description('delete a function; its queued executions end as FUNCTION_DELETED')
    .addHelpText('after', '\nExample:\n  $ nanofaas delete hello --yes')
    .action(async (name: string, options: { yes?: boolean }, command: Command) => {
      const ctx = contextOf(io, command);
      functionNameArg(name);
      if (!options.yes) {
        if (io.stdin.isTTY !== true) {
          throw new CliError(`not deleting "${name}" without confirmation`, ExitCode.usage, 'pass --yes');
        }
        const prompt = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream });
        const answer = await prompt.question(`delete function "${name}"? [y/N] `);
        prompt.close();
        if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('not deleted', ExitCode.failure);
      }
      await ctx.client.expect('DELETE', `/v1/functions/${name}`);
      ctx.printResult({ name, deleted: true }, () => [
        ['NAME', 'DELETED'],
        [name, 'yes'],
      ]);
    });

  program
    .command('scale')
    .argument('<name>', 'function name')
    .argument('<replicas>', 'replica count to pin (0 … 100)')
    .description('pin the replica count of a function')
    .addHelpText('after', '\nExample:\n  $ nanofaas scale hello 3')
    .action(async (name: string, replicasText: string, _options: unknown, command: Command) => {
      const ctx = contextOf(io, command);
      functionNameArg(name);
      if (!/^\d{1,3}$/.test(replicasText)) {
        throw new CliError(
          `replicas must be a whole number from 0 to 100 (got "${replicasText}")`,
          ExitCode.usage,
        );
      }
      const reply = await ctx.client.expect('PUT', `/v1/functions/${name}/replicas`, {
        body: JSON.stringify({ replicas: Number(replicasText) }),
      });
      const fn = reply.json as FunctionResponse;
      ctx.printResult(fn, () => [HEADINGS, functionRow(fn)]);
    });
}

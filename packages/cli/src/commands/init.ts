import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { explainInvalidFunctionName } from '@nanofaas/contracts';
import type { Command } from 'commander';
import { type CliIo, contextOf } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { findTemplate, TEMPLATES } from '../templates/templates.js';

interface InitOptions {
  template: string;
  dir?: string;
  list?: boolean;
}

export function registerInit(program: Command, io: CliIo): void {
  program
    .command('init')
    .argument('[name]', 'function name: lowercase letters, digits and dashes')
    .description('create a function folder: handler, test, README and nanofaas.yaml')
    .option('-t, --template <template>', `one of ${TEMPLATES.map((t) => t.name).join(', ')}`, 'node')
    .option('--dir <path>', 'folder to create (default: ./<name>)')
    .option('--list', 'show the templates')
    .addHelpText(
      'after',
      '\nExample:\n  $ nanofaas init hello --template shell && cd hello && nanofaas deploy',
    )
    .action((name: string | undefined, options: InitOptions, command: Command) => {
      const ctx = contextOf(io, command);
      if (options.list) {
        const rows = TEMPLATES.map((template) => [template.name, template.description]);
        ctx.printResult(
          TEMPLATES.map((template) => ({ name: template.name, description: template.description })),
          () => [['TEMPLATE', 'DESCRIPTION'], ...rows],
        );
        return;
      }
      if (name === undefined)
        throw new CliError(
          'init needs a function name',
          ExitCode.usage,
          'nanofaas init <name> --template node',
        );
      const problem = explainInvalidFunctionName(name);
      if (problem !== undefined) throw new CliError(`function name "${name}": ${problem}`, ExitCode.usage);
      const template = findTemplate(options.template);
      if (template === undefined) {
        throw new CliError(
          `unknown template "${options.template}" (known: ${TEMPLATES.map((t) => t.name).join(', ')})`,
          ExitCode.usage,
        );
      }
      const dir = resolve(io.cwd, options.dir ?? name);
      if (existsSync(dir) && readdirSync(dir).length > 0) {
        throw new CliError(`${relative(io.cwd, dir) || dir} exists and is not empty`, ExitCode.usage);
      }
      const files = template.files(name);
      for (const file of files) {
        const path = join(dir, file.path);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, file.content, { flag: 'wx' });
        if (file.mode !== undefined) chmodSync(path, file.mode);
      }
      const shown = relative(io.cwd, dir) || '.';
      ctx.printResult({ name, template: template.name, dir, files: files.map((file) => file.path) }, () => [
        ['FILE'],
        ...files.map((file) => [join(shown, file.path)]),
      ]);
      const { err } = ctx.terminal;
      ctx.terminal.note(
        `${err.green('✔')} created ${err.bold(name)} from the ${template.name} template in ${shown}`,
      );
      ctx.terminal.note(
        `next:\n  cd ${shown}\n${template.nextSteps.map((step) => `  ${step.replace('<name>', name)}`).join('\n')}`,
      );
    });
}

import { Command, CommanderError, Option } from 'commander';
import { registerCompletion } from './commands/completion.js';
import { registerDeploy } from './commands/deploy.js';
import { registerExecutions } from './commands/executions.js';
import { registerFunctionCommands } from './commands/functions.js';
import { registerInit } from './commands/init.js';
import { registerInvoke } from './commands/invoke.js';
import { registerLogs } from './commands/logs.js';
import { registerUp } from './commands/up.js';
import { type CliIo, DEFAULT_URL, OUTPUT_FORMATS } from './context.js';
import { CliError, ExitCode } from './exit-codes.js';
import { cliVersion } from './paths.js';
import { Terminal } from './terminal.js';

/** The `nanofaas` program with every command. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('nanofaas')
    .description('nanofaas: run the platform, create, deploy, invoke and watch functions')
    .version(cliVersion(), '-V, --version', 'print the version')
    .option('--url <url>', `control plane URL (NANOFAAS_URL, default ${DEFAULT_URL})`)
    .option('--api-key <key>', 'API key (NANOFAAS_API_KEY; on loopback also <data dir>/admin.key)')
    .addOption(
      new Option('-o, --output <format>', 'result format').choices([...OUTPUT_FORMATS]).default('table'),
    )
    .option('--no-color', 'no colours even on a terminal (NO_COLOR does the same)')
    .option('--debug', 'show stack traces of unexpected failures')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      'after',
      `
Quick start:
  $ nanofaas up &                       # the control plane on ${DEFAULT_URL}
  $ nanofaas init hello --template node && cd hello
  $ nanofaas deploy
  $ nanofaas invoke hello --data '{"name":"Ada"}'
  $ nanofaas logs hello

Exit codes: 0 ok, 1 failure, 2 invalid input, 3 not found, 4 API key refused, 5 control plane
unreachable, 6 the function failed, 7 timeout, 8 the platform failed, 9 deploy failed, 130 Ctrl-C.`,
    );
  registerUp(program, io);
  registerInit(program, io);
  registerDeploy(program, io);
  registerFunctionCommands(program, io);
  registerInvoke(program, io);
  registerExecutions(program, io);
  registerLogs(program, io);
  registerCompletion(program, io);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns its exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const debug = argv.includes('--debug');
  const terminal = new Terminal({
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
    colour: !argv.includes('--no-color'),
  });
  const fail = (message: string, hint?: string) => {
    if (message !== '') terminal.note(`${terminal.err.red('error:')} ${message}`);
    if (hint !== undefined) terminal.note(`${terminal.err.dim('hint:')} ${hint}`);
  };
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CliError) {
      fail(error.message, error.hint);
      if (debug && error.message !== '') terminal.note(error.stack ?? '');
      return error.exitCode;
    }
    if (error instanceof CommanderError) {
      // Help and --version end through here too, with exit code 0; commander printed the message.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    fail(
      `unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
      debug ? undefined : 'rerun with --debug for details',
    );
    if (debug) terminal.note(error instanceof Error ? (error.stack ?? '') : '');
    return ExitCode.failure;
  }
}

export const USAGE = `usage: nanofaas-runtime [--stdio] [handler-module]

Serves the default export of handler-module (default: $HANDLER, else ./index.js).

  (no flag)   warm HTTP server on $HOST:$PORT: POST /invoke, GET /health, GET /metrics;
              one run reported to $CALLBACK_URL when EXECUTION_ID, CALLBACK_URL and
              INVOCATION_PAYLOAD are set (one-shot mode)
  --stdio     read one InvocationRequest JSON from stdin, write the output to stdout
  --help      show this help

Settings: packages/runtime/README.md ("Configuration").`;

export interface CliArgs {
  readonly stdio: boolean;
  readonly help: boolean;
  readonly handlerPath: string | undefined;
}

/** The command line mistyped; the message says how. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `[--stdio] [--help|-h] [handler-module]`, parsed by hand: node:util costs start-up time. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let stdio = false;
  let help = false;
  const positionals: string[] = [];
  for (const arg of argv) {
    if (arg === '--stdio') stdio = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'; see --help`);
    else positionals.push(arg);
  }
  if (positionals.length > 1) {
    throw new UsageError(`expected at most one handler module, got: ${positionals.join(' ')}`);
  }
  return { stdio, help, handlerPath: positionals[0] };
}

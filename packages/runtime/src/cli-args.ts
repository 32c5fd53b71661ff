import { parseArgs } from 'node:util';

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

export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.positionals.length > 1) {
    throw new UsageError(`expected at most one handler module, got: ${parsed.positionals.join(' ')}`);
  }
  return {
    stdio: parsed.values.stdio ?? false,
    help: parsed.values.help ?? false,
    handlerPath: parsed.positionals[0],
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { stdio: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
}

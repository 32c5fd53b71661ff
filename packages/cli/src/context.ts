import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ApiClient } from './api-client.js';
import { resolveApiKey } from './api-key.js';
import { CliError, ExitCode } from './exit-codes.js';
import { type OutputStream, Terminal } from './terminal.js';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The process around the CLI; injected so nothing below reads globals. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

interface GlobalOptions {
  url?: string;
  apiKey?: string;
  output: string;
  color: boolean;
  debug?: boolean;
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** What every command uses: the terminal, the output format and (lazily) the API client. */
export class CliContext {
  readonly io: CliIo;
  readonly terminal: Terminal;
  readonly output: OutputFormat;
  readonly url: URL;
  #client: ApiClient | undefined;

  constructor(io: CliIo, options: GlobalOptions) {
    this.io = io;
    this.terminal = new Terminal({
      stdout: io.stdout,
      stderr: io.stderr,
      env: io.env,
      colour: options.color,
    });
    if (!OUTPUT_FORMATS.some((format) => format === options.output)) {
      throw new CliError(
        `--output must be one of ${OUTPUT_FORMATS.join(', ')} (got "${options.output}")`,
        ExitCode.usage,
      );
    }
    this.output = options.output as OutputFormat;
    const text = options.url ?? io.env.NANOFAAS_URL ?? DEFAULT_URL;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      url = new URL('invalid:');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new CliError(`--url must be an http:// or https:// URL (got "${text}")`, ExitCode.usage);
    }
    this.url = url;
    this.#apiKeyFlag = options.apiKey;
  }

  readonly #apiKeyFlag: string | undefined;

  get client(): ApiClient {
    this.#client ??= new ApiClient(
      this.url,
      resolveApiKey({ flag: this.#apiKeyFlag, env: this.io.env, cwd: this.io.cwd, url: this.url }),
    );
    return this.#client;
  }

  /** Prints a result: JSON or YAML of `value`, or the table `rows` (first row: headings). */
  printResult(value: unknown, rows: () => string[][]): void {
    switch (this.output) {
      case 'json':
        this.terminal.print(JSON.stringify(value, null, 2));
        return;
      case 'yaml':
        this.terminal.print(stringify(value, { lineWidth: 0 }));
        return;
      case 'table':
        this.terminal.print(formatTable(rows(), (text) => this.terminal.out.bold(text)));
        return;
      default: {
        const unknown: never = this.output;
        throw new Error(`unknown output ${String(unknown)}`);
      }
    }
  }
}

/** Reads the global options of the program a command belongs to. */
export function contextOf(io: CliIo, command: Command): CliContext {
  return new CliContext(io, command.optsWithGlobals() as GlobalOptions);
}

function formatTable(rows: string[][], heading: (text: string) => string): string {
  if (rows.length <= 1) return rows.length === 1 ? `${heading(rows[0]!.join('  '))}\n(none)` : '';
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row, index) => {
      const line = row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
        .join('  ');
      return index === 0 ? heading(line) : line;
    })
    .join('\n');
}

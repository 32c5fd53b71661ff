import picocolors from 'picocolors';

type Colours = ReturnType<typeof picocolors.createColors>;

/** A stream the CLI writes to, with what it needs to know about it. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface TerminalOptions {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** --no-color. */
  readonly colour: boolean;
}

/**
 * Where output goes: results on stdout, progress, status and errors on stderr. Colours and
 * animation only on a terminal (each stream decides for itself), never with NO_COLOR or
 * TERM=dumb, so a pipe or a file gets plain text.
 */
export class Terminal {
  readonly out: Colours;
  readonly err: Colours;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** stderr is a terminal: progress animates and is redrawn in place. */
  readonly interactive: boolean;

  constructor(options: TerminalOptions) {
    const allowed = options.colour && options.env.NO_COLOR === undefined && options.env.TERM !== 'dumb';
    this.stdout = options.stdout;
    this.stderr = options.stderr;
    this.out = picocolors.createColors(allowed && options.stdout.isTTY === true);
    this.err = picocolors.createColors(allowed && options.stderr.isTTY === true);
    this.interactive = options.stderr.isTTY === true && options.env.TERM !== 'dumb';
  }

  print(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  note(text: string): void {
    this.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

/**
 * Text that came from outside (function output, log lines, messages) made safe to print on a
 * terminal: control characters other than tab become visible escapes, so no escape sequence a
 * function writes can move the cursor, change colours or retitle the window.
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, (char) => {
    const code = char.charCodeAt(0);
    return code === 0x0a ? '\\n' : code === 0x0d ? '\\r' : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

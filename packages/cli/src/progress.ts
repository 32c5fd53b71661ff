import type { Terminal } from './terminal.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 80;

/** One step of a longer command (build, register, wait until ready), shown on stderr. */
export interface ProgressStep {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
}

/**
 * On a terminal, an animated spinner redrawn in place and a coloured mark at the end; in a pipe,
 * one plain line when the step ends. The spinner draws on the stream it is given: library
 * spinners decide from stdout and CI variables instead, which puts escape codes into pipes.
 */
export function startStep(terminal: Terminal, text: string): ProgressStep {
  const colours = terminal.err;
  let current = text;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    terminal.stderr.write(`\r\u001b[2K${colours.cyan(FRAMES[frame % FRAMES.length]!)} ${current}`);
    frame++;
  };
  if (terminal.interactive) {
    terminal.stderr.write('\u001b[?25l');
    draw();
    timer = setInterval(draw, FRAME_MS);
    timer.unref();
  }
  const end = (mark: string, final: string) => {
    if (timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
      terminal.stderr.write(`\r\u001b[2K${mark} ${final}\n\u001b[?25h`);
    } else {
      terminal.stderr.write(`${mark} ${final}\n`);
    }
  };
  return {
    update(next) {
      current = next;
    },
    succeed(final = current) {
      end(colours.green('✔'), final);
    },
    fail(final = current) {
      end(colours.red('✖'), final);
    },
  };
}

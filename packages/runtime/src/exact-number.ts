import { randomBytes } from 'node:crypto';

/**
 * A JSON number whose text a JavaScript number cannot hold as written: `7.0`, `-0.0`, `1e400`, a
 * 20-digit integer, `2.50e0`. The runtime decodes such a number of the input into an ExactNumber,
 * and writes an ExactNumber of the output back as its own text, so that an answer carries the
 * caller's bytes (DESIGN.md §3, "Data is never re-encoded"). Arithmetic works through `valueOf`
 * (`Number(x)`, `x * 2`); `typeof` is `"object"`. Numbers whose text round-trips (`7`, `0.5`,
 * `-12`) stay plain numbers: the common case costs nothing.
 */
export class ExactNumber {
  readonly text: string;

  constructor(text: string) {
    if (!JSON_NUMBER.test(text)) throw new TypeError(`not a JSON number: ${JSON.stringify(text)}`);
    this.text = text;
  }

  /** The nearest JavaScript number (Infinity past the double range, like `Number(text)`). */
  valueOf(): number {
    return Number(this.text);
  }

  toString(): string {
    return this.text;
  }

  /** Outside the runtime's own output (a handler's JSON.stringify), the nearest number. */
  toJSON(): number | string {
    return writingOutput ? `${MARKER}${this.text}` : this.valueOf();
  }
}

const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
/** Stands for an exact number inside one parse or one stringify; random, so no input can hold it. */
const MARKER = `\u0000${randomBytes(8).toString('hex')}:`;
const MARKER_JSON = JSON.stringify(MARKER).slice(1, -1);
const MARKED = new RegExp(`"${MARKER_JSON.replace(/\\/g, '\\\\')}([-+.0-9eE]+)"`, 'g');
/** True only while stringifyOutput runs (JSON.stringify is synchronous: nothing interleaves). */
let writingOutput = false;

/** Number tokens where one can start: after `:`, `[`, `,` or at the start (strings give false hits). */
const NUMBER_CANDIDATE = /(?:^|[:[,])[ \t\n\r]*(-?[0-9][-+.0-9eE]*)/g;

const MAYBE_LOSSY = /[0-9][.eE]|-0|[0-9]{16}/;

const roundTrips = (token: string) => String(Number(token)) === token;

/**
 * JSON.parse that keeps every number whose text does not round-trip as an ExactNumber. Fast path:
 * a text in which no number-looking token is lossy goes to JSON.parse alone.
 */
export function parseJsonExact(text: string): unknown {
  // Every number that does not round-trip has a digit before `.`/`e`/`E`, is `-0`, or has 16+ digits.
  if (!MAYBE_LOSSY.test(text)) return JSON.parse(text);
  let lossy = false;
  for (const match of text.matchAll(NUMBER_CANDIDATE)) {
    if (!roundTrips(match[1]!)) {
      lossy = true;
      break;
    }
  }
  if (!lossy) return JSON.parse(text);
  const { marked, numbers } = markLossyNumbers(text);
  if (numbers.length === 0) return JSON.parse(text);
  const prefix = MARKER;
  return JSON.parse(marked, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(prefix)
      ? new ExactNumber(numbers[Number(value.slice(prefix.length))]!)
      : value,
  );
}

/** The text with each lossy number token (outside strings) replaced by a marked string. */
function markLossyNumbers(text: string): { marked: string; numbers: string[] } {
  const numbers: string[] = [];
  const parts: string[] = [];
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote, past escapes.
      i++;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      const token = text.slice(i, end);
      // Only a valid JSON number is replaced: JSON.parse must still refuse `01` or `1.`.
      if (JSON_NUMBER.test(token) && !roundTrips(token)) {
        parts.push(text.slice(copied, i), `"${MARKER_JSON}${numbers.length}"`);
        numbers.push(token);
        copied = end;
      }
      i = end;
    } else i++;
  }
  parts.push(text.slice(copied));
  return { marked: parts.join(''), numbers };
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

/**
 * JSON.stringify for the runtime's output: an ExactNumber is written as its own text. Returns
 * undefined where JSON.stringify does (a function or symbol); throws where it throws.
 */
export function stringifyOutput(value: unknown): string | undefined {
  writingOutput = true;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } finally {
    writingOutput = false;
  }
  if (text === undefined || !text.includes(MARKER_JSON)) return text;
  return text.replace(MARKED, '$1');
}

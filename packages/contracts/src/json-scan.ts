import { isUtf8 } from 'node:buffer';

/** One member of the top-level object of a scanned document: its key and its value's bytes. */
export interface JsonMember {
  readonly key: string;
  /** Offset of the value's first byte. */
  readonly start: number;
  /** Offset just past the value's last byte. */
  readonly end: number;
}

export type JsonScan =
  | {
      readonly ok: true;
      /** The top-level object's members in order (duplicates kept), when the document is an object. */
      readonly members: readonly JsonMember[] | undefined;
    }
  | {
      readonly ok: false;
      /** Why the document is refused, for an error message ("… at byte 12"). */
      readonly reason: string;
      readonly offset: number;
      /** True when the document nests deeper than the limit (it may be valid JSON otherwise). */
      readonly tooDeep: boolean;
    };

enum Byte {
  Tab = 0x09,
  Newline = 0x0a,
  Return = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Plus = 0x2b,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Zero = 0x30,
  Nine = 0x39,
  Colon = 0x3a,
  UpperE = 0x45,
  OpenBracket = 0x5b,
  Backslash = 0x5c,
  CloseBracket = 0x5d,
  LowerE = 0x65,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
}

/** Bytes that may follow a backslash in a string (RFC 8259 §7), `u` excepted. */
const SIMPLE_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

/** 1 for the bytes that end the fast path inside a string: `"`, `\\` and control characters. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1;
STRING_STOP[0x22] = 1;
STRING_STOP[0x5c] = 1;

class ScanFailure {
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly tooDeep = false,
  ) {}
}

/**
 * Checks that `bytes` are one JSON document (RFC 8259, UTF-8) nesting at most `maxDepth` arrays
 * and objects, without building any value: the bytes stay the representation (DESIGN.md §3, data
 * is never re-encoded), and no input reaches a recursive parser or serialiser. Numbers are checked
 * by their grammar only, so `7.0`, `1e400` and 20-digit integers are valid and untouched; lone
 * surrogate escapes (`"\ud800"`) are valid JSON text, as JSON.parse accepts them. Iterative: the
 * only memory it takes is the member list and one entry per open container.
 */
export function scanJson(bytes: Uint8Array, maxDepth: number): JsonScan {
  if (!isUtf8(bytes)) {
    return {
      ok: false,
      reason: 'the text is not valid UTF-8',
      offset: firstInvalidUtf8(bytes),
      tooDeep: false,
    };
  }
  try {
    return { ok: true, members: new Scanner(bytes, maxDepth).document() };
  } catch (error) {
    if (!(error instanceof ScanFailure)) throw error;
    return { ok: false, reason: error.reason, offset: error.offset, tooDeep: error.tooDeep };
  }
}

class Scanner {
  private i = 0;
  /** true: object, false: array; one entry per open container. */
  private readonly open: boolean[] = [];

  constructor(
    private readonly b: Uint8Array,
    private readonly maxDepth: number,
  ) {}

  document(): JsonMember[] | undefined {
    const b = this.b;
    this.skipSpace();
    const topIsObject = b[this.i] === Byte.OpenBrace;
    const members: JsonMember[] | undefined = topIsObject ? [] : undefined;
    let key = '';
    let valueStart = 0;
    // Each turn reads one value, then what follows it (a separator or closing brackets).
    for (;;) {
      if (members !== undefined && this.open.length === 1) valueStart = this.i;
      const opened = this.value();
      if (opened === 'object') {
        this.skipSpace();
        if (b[this.i] === Byte.CloseBrace) {
          this.i++;
          this.open.pop();
        } else {
          const k = this.key();
          if (members !== undefined && this.open.length === 1) key = k;
          continue;
        }
      } else if (opened === 'array') {
        this.skipSpace();
        if (b[this.i] === Byte.CloseBracket) {
          this.i++;
          this.open.pop();
        } else continue;
      }
      // After a complete value: record a top-level member, then close containers or move on.
      for (;;) {
        if (members !== undefined && this.open.length === 1) {
          members.push({ key, start: valueStart, end: this.i });
        }
        this.skipSpace();
        const depth = this.open.length;
        if (depth === 0) {
          if (this.i !== b.length) this.fail('unexpected text after the JSON document');
          return members;
        }
        const inObject = this.open[depth - 1] === true;
        const c = b[this.i];
        if (c === Byte.Comma) {
          this.i++;
          if (inObject) {
            this.skipSpace();
            const k = this.key();
            if (members !== undefined && depth === 1) key = k;
          }
          break;
        }
        if ((inObject && c === Byte.CloseBrace) || (!inObject && c === Byte.CloseBracket)) {
          this.i++;
          this.open.pop();
          continue;
        }
        this.fail(inObject ? 'expected "," or "}"' : 'expected "," or "]"');
      }
    }
  }

  /** Reads `"key"` `:` and the space after it; returns the key (decoded only at the top level). */
  private key(): string {
    const b = this.b;
    if (b[this.i] !== Byte.Quote) this.fail('expected a string key');
    const start = this.i;
    const escaped = this.string();
    const end = this.i;
    this.skipSpace();
    if (b[this.i] !== Byte.Colon) this.fail('expected ":"');
    this.i++;
    this.skipSpace();
    if (this.open.length !== 1) return '';
    return decodeKey(b, start, end, escaped);
  }

  /** Reads one value; for `{` and `[` only opens the container and says which. */
  private value(): 'object' | 'array' | undefined {
    const b = this.b;
    this.skipSpace();
    const c = b[this.i];
    switch (c) {
      case Byte.OpenBrace:
      case Byte.OpenBracket:
        if (this.open.length >= this.maxDepth) {
          throw new ScanFailure(`nests deeper than ${this.maxDepth} levels`, this.i, true);
        }
        this.open.push(c === Byte.OpenBrace);
        this.i++;
        return c === Byte.OpenBrace ? 'object' : 'array';
      case Byte.Quote:
        this.string();
        return undefined;
      case 0x74: // t
        this.literal('true');
        return undefined;
      case 0x66: // f
        this.literal('false');
        return undefined;
      case 0x6e: // n
        this.literal('null');
        return undefined;
      default:
        if (c === Byte.Minus || (c !== undefined && c >= Byte.Zero && c <= Byte.Nine)) {
          this.number();
          return undefined;
        }
        return this.fail(c === undefined ? 'unexpected end of the JSON text' : 'expected a JSON value');
    }
  }

  /** Reads a string from its opening quote; returns whether it holds an escape. */
  private string(): boolean {
    const b = this.b;
    const n = b.length;
    let i = this.i + 1;
    let escaped = false;
    for (;;) {
      while (i < n && STRING_STOP[b[i]!] === 0) i++;
      if (i >= n) {
        this.i = i;
        this.fail('unterminated string');
      }
      const c = b[i]!;
      if (c === Byte.Quote) break;
      if (c < Byte.Space) {
        this.i = i;
        this.fail('control character in a string');
      }
      if (c === Byte.Backslash) {
        escaped = true;
        const next = b[i + 1];
        if (next === 0x75) {
          for (let k = 2; k < 6; k++) {
            if (!isHexDigit(b[i + k])) {
              this.i = i;
              this.fail('invalid \\u escape');
            }
          }
          i += 6;
          continue;
        }
        if (next === undefined || !SIMPLE_ESCAPES.has(next)) {
          this.i = i;
          this.fail('invalid escape');
        }
        i += 2;
        continue;
      }
      i++;
    }
    this.i = i + 1;
    return escaped;
  }

  private number(): void {
    const b = this.b;
    let i = this.i;
    if (b[i] === Byte.Minus) i++;
    if (b[i] === Byte.Zero) i++;
    else if (isDigit(b[i])) while (isDigit(b[i])) i++;
    else this.failAt(i, 'invalid number');
    if (b[i] === Byte.Dot) {
      i++;
      if (!isDigit(b[i])) this.failAt(i, 'invalid number: a digit must follow "."');
      while (isDigit(b[i])) i++;
    }
    if (b[i] === Byte.LowerE || b[i] === Byte.UpperE) {
      i++;
      if (b[i] === Byte.Plus || b[i] === Byte.Minus) i++;
      if (!isDigit(b[i])) this.failAt(i, 'invalid number: a digit must follow the exponent');
      while (isDigit(b[i])) i++;
    }
    this.i = i;
  }

  private literal(word: 'true' | 'false' | 'null'): void {
    const b = this.b;
    for (let k = 0; k < word.length; k++) {
      if (b[this.i + k] !== word.charCodeAt(k)) this.failAt(this.i, 'expected a JSON value');
    }
    this.i += word.length;
  }

  private skipSpace(): void {
    const b = this.b;
    let i = this.i;
    for (;;) {
      const c = b[i];
      if (c === Byte.Space || c === Byte.Newline || c === Byte.Return || c === Byte.Tab) i++;
      else break;
    }
    this.i = i;
  }

  private failAt(offset: number, reason: string): never {
    this.i = offset;
    return this.fail(reason);
  }

  private fail(reason: string): never {
    throw new ScanFailure(reason, this.i);
  }
}

/** A top-level key as a string; short ASCII keys (the usual) without a Buffer. */
function decodeKey(b: Uint8Array, start: number, end: number, escaped: boolean): string {
  if (!escaped && end - start <= 66) {
    let key = '';
    for (let k = start + 1; k < end - 1; k++) {
      const c = b[k]!;
      if (c >= 0x80) return Buffer.from(b.buffer, b.byteOffset + start + 1, end - start - 2).toString('utf8');
      key += String.fromCharCode(c);
    }
    return key;
  }
  return JSON.parse(Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8')) as string;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= Byte.Zero && c <= Byte.Nine;
}

function isHexDigit(c: number | undefined): boolean {
  return (
    c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
  );
}

/** Offset of the first byte that breaks UTF-8 (for the message; the slow path only). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let low = 0;
  let high = bytes.length;
  // The shortest invalid prefix, by halving (isUtf8 of a prefix cut inside a sequence is false too).
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (isUtf8(bytes.subarray(0, middle + 1))) low = middle + 1;
    else high = middle;
  }
  return Math.max(0, low - 3);
}

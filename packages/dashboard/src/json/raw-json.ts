/**
 * JSON text handled as text: an execution's output is shown as the exact bytes the function wrote
 * (`7.0` stays `7.0`, a 20-digit integer stays whole), so it is re-indented token by token and never
 * parsed into numbers.
 */

/** One JSON token: a literal (string, number, true, false, null) or a punctuation character. */
interface Token {
  readonly text: string;
  readonly punctuation: boolean;
  /** Where the token starts in the text. */
  readonly offset: number;
}

// A string is checked only for its quotes and escapes: a control character inside one is left for
// the caller's JSON.parse to refuse (the platform's answers never hold one).
const LITERAL =
  /^(?:"(?:[^"\\]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/;

function* tokens(text: string): Generator<Token> {
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (char === ' ' || char === '\n' || char === '\r' || char === '\t') {
      index += 1;
      continue;
    }
    if ('{}[]:,'.includes(char)) {
      index += 1;
      yield { text: char, punctuation: true, offset: index - 1 };
      continue;
    }
    const match = LITERAL.exec(text.slice(index, index + 1_000_000));
    if (!match) throw new SyntaxError(`not JSON at offset ${index}`);
    yield { text: match[0], punctuation: false, offset: index };
    index += match[0].length;
  }
}

/** The JSON text re-indented (two spaces), every literal kept exactly as written. */
export function prettyJson(text: string, indent = '  '): string {
  let out = '';
  let depth = 0;
  let previous: Token | undefined;
  const newline = () => `\n${indent.repeat(depth)}`;
  for (const token of tokens(text)) {
    const t = token.text;
    if (token.punctuation && (t === '}' || t === ']')) {
      depth -= 1;
      // An empty object or array stays on one line.
      out += previous?.text === (t === '}' ? '{' : '[') ? t : `${newline()}${t}`;
    } else if (token.punctuation && t === ',') {
      out += `,${newline()}`;
    } else if (token.punctuation && t === ':') {
      out += ': ';
    } else {
      if (previous?.punctuation && (previous.text === '{' || previous.text === '[')) out += newline();
      out += t;
      if (token.punctuation) depth += 1;
    }
    previous = token;
  }
  return out;
}

/**
 * The raw text of a top-level member of a JSON object (`{"output": 7.0}` → `7.0`), or undefined when
 * the object has no such member.
 */
export function rawMember(objectText: string, key: string): string | undefined {
  let depth = 0;
  let start = -1;
  let expectingKey = false;
  let found = false;
  for (const token of tokens(objectText)) {
    const { text, punctuation, offset } = token;
    if (punctuation && (text === '{' || text === '[')) {
      if (depth === 1 && found && start < 0) start = offset;
      depth += 1;
      expectingKey = text === '{' && depth === 1;
      continue;
    }
    if (punctuation && (text === '}' || text === ']')) {
      depth -= 1;
      if (depth === 1 && found && start >= 0) return objectText.slice(start, offset + 1);
      continue;
    }
    if (depth !== 1) continue;
    if (punctuation && text === ',') {
      expectingKey = true;
      continue;
    }
    if (punctuation && text === ':') continue;
    if (expectingKey) {
      found = JSON.parse(text) === key;
      expectingKey = false;
      continue;
    }
    if (found) return text;
  }
  return undefined;
}

/**
 * The source text of one member of a top-level JSON object, exactly as it was sent: `7.0` stays
 * `7.0` and a 20-digit integer stays whole (DESIGN.md §3: data is never re-encoded). `text` must
 * be valid JSON (the caller parsed it once); returns undefined when the member is absent.
 */
export function rawMember(text: string, name: string): string | undefined {
  let index = skipSpace(text, 0);
  if (text[index] !== '{') return undefined;
  index = skipSpace(text, index + 1);
  while (index < text.length && text[index] !== '}') {
    const keyEnd = skipString(text, index);
    const key = JSON.parse(text.slice(index, keyEnd)) as string;
    index = skipSpace(text, keyEnd);
    index = skipSpace(text, index + 1); // ':'
    const valueEnd = skipValue(text, index);
    if (key === name) return text.slice(index, valueEnd);
    index = skipSpace(text, valueEnd);
    if (text[index] === ',') index = skipSpace(text, index + 1);
  }
  return undefined;
}

function skipSpace(text: string, index: number): number {
  while (index < text.length && ' \t\n\r'.includes(text[index]!)) index++;
  return index;
}

function skipString(text: string, index: number): number {
  index++; // opening quote
  while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
  return index + 1;
}

function skipValue(text: string, index: number): number {
  const first = text[index];
  if (first === '"') return skipString(text, index);
  if (first === '{' || first === '[') {
    let depth = 0;
    while (index < text.length) {
      const char = text[index]!;
      if (char === '"') {
        index = skipString(text, index);
        continue;
      }
      if (char === '{' || char === '[') depth++;
      else if (char === '}' || char === ']') {
        depth--;
        if (depth === 0) return index + 1;
      }
      index++;
    }
    return index;
  }
  while (index < text.length && !',}] \t\n\r'.includes(text[index]!)) index++;
  return index;
}

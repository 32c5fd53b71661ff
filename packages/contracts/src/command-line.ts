/**
 * Splits a WATCHDOG_CMD (`runtimeCommand`) the way the watchdog does (POSIX shell quoting, never a shell): single
 * quotes are literal, double quotes allow `\"` and `\\`, a backslash outside quotes escapes one
 * character. Returns undefined for unbalanced quotes or a trailing backslash.
 */
export function splitCommand(command: string): string[] | undefined {
  const argv: string[] = [];
  let current = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < command.length; i++) {
    const char = command.charAt(i);
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else current += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\' && i + 1 < command.length && '"\\$`\n'.includes(command.charAt(i + 1))) {
        current += command.charAt(++i);
      } else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === '\\') {
      if (i + 1 >= command.length) return undefined;
      current += command.charAt(++i);
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) argv.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote !== undefined) return undefined;
  if (inWord) argv.push(current);
  return argv;
}

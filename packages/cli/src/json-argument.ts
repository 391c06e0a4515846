import { DomainError } from '@bank/core';

/** Line and column (both from 1) of an offset in `text`. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

// V8 names the offset for most errors (`… in JSON at position 15`), but not for an unexpected token: that one quotes
// the token, and the offending character is where the shortest prefix first fails on that same token.
function offsetOf(text: string, message: string): number | undefined {
  const stated = /at position (\d+)/.exec(message);
  if (stated) return Number(stated[1]);
  if (message.startsWith('Unexpected end of JSON input')) return text.length;
  if (!message.startsWith('Unexpected token') || text.length > 10_000) return undefined;
  for (let end = 1; end <= text.length; end++) {
    try {
      JSON.parse(text.slice(0, end));
    } catch (e) {
      if ((e as Error).message.startsWith(`Unexpected token '${text[end - 1]}'`)) return end - 1;
    }
  }
  return undefined;
}

/** V8's reason without its offset or its quote of the whole input: `expected ',' or '}' after property value`. */
function reasonOf(message: string): string {
  const reason = message
    .replace(/, "[\s\S]*" is not valid JSON$/, '')
    .replace(/ in JSON at position \d+[\s\S]*$/, '')
    .replace(/ at position \d+[\s\S]*$/, '')
    .replace(/ of JSON input$/, ' of input');
  return reason.charAt(0).toLowerCase() + reason.slice(1);
}

/**
 * Parses a JSON command-line argument (`--data`).
 * @throws {DomainError} `invalid_input` saying what is wrong and where: `--data is not valid JSON: expected ',' or
 * '}' after property value at line 1, column 16`.
 */
export function parseJsonArgument(text: string, option: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const offset = offsetOf(text, message);
    const where = offset === undefined ? '' : (({ line, column }) => ` at line ${line}, column ${column}`)(lineAndColumn(text, offset));
    const detail = `${option} is not valid JSON: ${reasonOf(message)}${where}`;
    throw new DomainError('invalid_input', detail, { issues: [{ code: 'invalid_json', path: [], message: detail }], cause: e });
  }
}

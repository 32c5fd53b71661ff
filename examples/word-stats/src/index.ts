import { defineFunction, ExactNumber, FunctionError } from '@nanofaas/runtime';
import { countWords, type WordStats } from './word-stats.js';

export const DEFAULT_TOP_N = 10;
export const MAX_TOP_N = 1000;

/** `{"text": "...", "topN"?: 1..1000}`, or the text itself as a JSON string. */
export interface WordStatsInput {
  readonly text: string;
  readonly topN?: number;
}

/**
 * word-stats: counts the words, the unique words and the topN most frequent words of a text.
 * Bad input is an INVALID_INPUT function error naming the field.
 */
export default defineFunction<unknown, WordStats>(({ input }) => {
  const { text, topN } = parseInput(input);
  return countWords(text, topN);
});

function parseInput(input: unknown): { text: string; topN: number } {
  if (typeof input === 'string') return { text: input, topN: DEFAULT_TOP_N };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid(
      'input',
      `must be a string or an object {"text": string, "topN"?: number}, got ${describe(input)}`,
    );
  }
  const { text, topN, ...unknown } = input as Record<string, unknown>;
  const extra = Object.keys(unknown);
  if (extra.length > 0)
    throw invalid(extra[0] as string, 'is not a known field (expected "text" and "topN")');
  if (typeof text !== 'string') throw invalid('text', `must be a string, got ${describe(text)}`);
  if (topN === undefined) return { text, topN: DEFAULT_TOP_N };
  // `2.0` arrives as an ExactNumber (its text is not what a JavaScript number would write): its value counts.
  const count = topN instanceof ExactNumber ? Number(topN) : topN;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_TOP_N) {
    throw invalid('topN', `must be a whole number from 1 to ${MAX_TOP_N}, got ${describe(topN)}`);
  }
  return { text, topN: count };
}

function invalid(field: string, message: string): FunctionError {
  return new FunctionError('INVALID_INPUT', `field "${field}": ${message}`, { details: { field } });
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof ExactNumber) return `number ${value.text}`;
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : `${typeof value} ${String(value)}`;
}

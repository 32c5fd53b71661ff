import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invokeLocal } from '@nanofaas/runtime/testing';
import wordStats from '../src/index.js';
import { countWords } from '../src/word-stats.js';

describe('word-stats', () => {
  it('counts words, unique words and the most frequent ones', async () => {
    const result = await invokeLocal(wordStats, { text: 'The cat and the hat. THE END, the end!', topN: 3 });
    assert.ok(result.ok);
    assert.deepEqual(result.output, {
      words: 9,
      uniqueWords: 5,
      top: [
        { word: 'the', count: 4 },
        { word: 'end', count: 2 },
        { word: 'and', count: 1 },
      ],
    });
  });

  it('accepts the text itself as a plain string, with the default topN of 10', async () => {
    const text = Array.from({ length: 12 }, (_, i) => `w${i}`).join(' ');
    const result = await invokeLocal(wordStats, text);
    assert.ok(result.ok);
    const stats = result.output as { words: number; uniqueWords: number; top: unknown[] };
    assert.equal(stats.words, 12);
    assert.equal(stats.uniqueWords, 12);
    assert.equal(stats.top.length, 10);
  });

  it('handles accents, other scripts, digits and apostrophes; ties are alphabetical', () => {
    assert.deepEqual(countWords("Perché l'uomo? perché 2024 — don't Don’t 東京", 10), {
      words: 7,
      uniqueWords: 5,
      top: [
        { word: "don't", count: 2 },
        { word: 'perché', count: 2 },
        { word: '2024', count: 1 },
        { word: "l'uomo", count: 1 },
        { word: '東京', count: 1 },
      ],
    });
  });

  it('returns zeros for a text without words', async () => {
    const result = await invokeLocal(wordStats, { text: ' ... !!! ' });
    assert.ok(result.ok);
    assert.deepEqual(result.output, { words: 0, uniqueWords: 0, top: [] });
  });

  const bad: [unknown, RegExp][] = [
    [42, /field "input": must be a string or an object/],
    [null, /field "input"/],
    [['a'], /field "input".*an array/],
    [{}, /field "text": must be a string, got nothing/],
    [{ text: 7 }, /field "text": must be a string, got number 7/],
    [{ text: 'a', topN: 0 }, /field "topN": must be a whole number from 1 to 1000/],
    [{ text: 'a', topN: 2.5 }, /field "topN"/],
    [{ text: 'a', topN: '3' }, /field "topN".*a string/],
    [{ text: 'a', limit: 3 }, /field "limit": is not a known field/],
  ];
  for (const [input, message] of bad) {
    it(`refuses ${JSON.stringify(input)} with INVALID_INPUT naming the field`, async () => {
      const result = await invokeLocal(wordStats, input);
      assert.ok(!result.ok);
      assert.equal(result.status, 500);
      assert.equal(result.error.code, 'INVALID_INPUT');
      assert.equal(result.error.origin, 'function');
      assert.match(result.error.message, message);
    });
  }
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ExactNumber, parseJsonExact, stringifyOutput } from '../src/exact-number.js';

const vectors = JSON.parse(
  readFileSync(new URL('../../contracts/fixtures/json-vectors.json', import.meta.url), 'utf8'),
) as { valid: string[]; invalid: { value: string }[] };

describe('numbers keep the text the caller wrote', () => {
  it('writes back every number of the contracts JSON vectors as it was written', () => {
    const numeric = vectors.valid.filter((text) => !text.includes('"'));
    assert.ok(numeric.length >= 8);
    for (const text of numeric) assert.equal(stringifyOutput(parseJsonExact(text)), text.replace(/\s/g, ''));
    // Inside objects too (the last of a repeated key wins, as in JSON.parse).
    const object = vectors.valid.find((text) => text.startsWith('{"b":1'))!;
    assert.equal(stringifyOutput(parseJsonExact(object)), '{"b":2,"a":[7.0,-0.0,1E+2,0e0]}');
  });

  it('still refuses every text that is not JSON', () => {
    for (const { value } of vectors.invalid) assert.throws(() => parseJsonExact(value), SyntaxError, value);
  });

  it('gives the handler plain numbers where they round-trip and ExactNumbers where they do not', () => {
    const value = parseJsonExact('{"a":7,"b":0.5,"c":7.0,"d":1e400,"s":"x: 7.0"}') as Record<string, unknown>;
    assert.equal(value['a'], 7);
    assert.equal(value['b'], 0.5);
    assert.ok(value['c'] instanceof ExactNumber);
    assert.equal(Number(value['c']) * 2, 14);
    assert.equal(Number(value['d']), Number.POSITIVE_INFINITY);
    assert.equal(value['s'], 'x: 7.0', 'a number inside a string is a string');
    assert.equal(JSON.stringify(value['c']), '7', "a handler's own JSON.stringify gets the nearest number");
  });

  it('writes an ExactNumber a handler made as its text', () => {
    assert.equal(stringifyOutput({ price: new ExactNumber('7.10') }), '{"price":7.10}');
    assert.throws(() => new ExactNumber('7.'), TypeError);
  });
});

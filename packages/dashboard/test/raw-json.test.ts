import { describe, expect, it } from 'vitest';
import { prettyJson, rawMember } from '../src/json/raw-json.js';

describe('raw JSON: shown as the function wrote it', () => {
  it('re-indents without changing a single literal', () => {
    const text =
      '{"price":7.0,"id":12345678901234567890,"tags":["a","b\\"c"],"empty":{},"none":[],"x":-1e+3}';
    expect(prettyJson(text)).toBe(
      [
        '{',
        '  "price": 7.0,',
        '  "id": 12345678901234567890,',
        '  "tags": [',
        '    "a",',
        '    "b\\"c"',
        '  ],',
        '  "empty": {},',
        '  "none": [],',
        '  "x": -1e+3',
        '}',
      ].join('\n'),
    );
  });

  it('takes a top-level member as raw text, nested or scalar', () => {
    const answer =
      '{"executionId":"e1","status":"success","output":{"total":7.0,"big":12345678901234567890}}';
    expect(rawMember(answer, 'output')).toBe('{"total":7.0,"big":12345678901234567890}');
    expect(rawMember('{"a":{"output":1},"output":  2.50 }', 'output')).toBe('2.50');
    expect(rawMember('{"output":[1,[2]],"b":3}', 'output')).toBe('[1,[2]]');
    expect(rawMember('{"status":"error"}', 'output')).toBeUndefined();
  });

  it('refuses text that is not JSON', () => {
    expect(() => prettyJson('{"a": nope}')).toThrow(SyntaxError);
  });
});

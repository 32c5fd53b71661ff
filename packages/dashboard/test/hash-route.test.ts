import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute } from '../src/routing/hash-route.js';

describe('hash routes', () => {
  it('names every page, and round-trips through hrefOf', () => {
    expect(parseRoute('')).toEqual({ page: 'overview' });
    expect(parseRoute('#/functions')).toEqual({ page: 'functions' });
    expect(parseRoute('#/functions/word-stats')).toEqual({ page: 'function', name: 'word-stats' });
    expect(parseRoute('#/executions/abc-1')).toEqual({ page: 'execution', id: 'abc-1' });
    const list = parseRoute('#/executions?function=a&status=error');
    expect(list.page).toBe('executions');
    expect(hrefOf(list)).toBe('#/executions?function=a&status=error');
    expect(parseRoute('#/nothing/here/at/all')).toEqual({ page: 'not-found', path: '/nothing/here/at/all' });
  });
});

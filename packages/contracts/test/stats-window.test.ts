import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseStatsWindow, STATS_WINDOW_PATTERN } from '../src/stats.js';

it('documents exactly the stats windows it accepts (a schema-valid window is never refused)', () => {
  const pattern = new RegExp(STATS_WINDOW_PATTERN);
  const texts: string[] = ['', '0s', '5', '1d', '05m', '1.5m', '+5m', ' 5m'];
  for (const unit of ['s', 'm', 'h']) for (let n = 0; n <= 4000; n++) texts.push(`${n}${unit}`);
  for (const text of texts) {
    assert.equal(pattern.test(text), parseStatsWindow(text) !== undefined, text);
  }
  assert.equal(parseStatsWindow('5m'), 300_000);
  assert.equal(parseStatsWindow('10s'), 10_000);
  assert.equal(parseStatsWindow('1h'), 3_600_000);
  assert.equal(parseStatsWindow('61m'), undefined);
});

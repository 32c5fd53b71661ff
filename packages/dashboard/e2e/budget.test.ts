import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DASHBOARD_DIST } from './control-plane.js';

/** What a first visit downloads, gzipped: a budget in the spirit of Lighthouse's. */
const BUDGET_BYTES = 300 * 1024;

it('keeps the built dashboard under 300 KB gzipped', () => {
  const files = [
    join(DASHBOARD_DIST, 'index.html'),
    ...readdirSync(join(DASHBOARD_DIST, 'assets')).map((name) => join(DASHBOARD_DIST, 'assets', name)),
  ];
  const sizes = files.map((file) => gzipSync(readFileSync(file), { level: 9 }).length);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  assert.ok(
    files.some((file) => file.endsWith('.js')),
    'the build has a script',
  );
  assert.ok(total < BUDGET_BYTES, `${total} bytes gzipped is over the budget of ${BUDGET_BYTES}`);
});

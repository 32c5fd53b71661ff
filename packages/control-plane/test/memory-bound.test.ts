/**
 * 16 concurrent 6 MiB invokes against the real control plane process: its peak RSS stays bounded
 * (NANOFAAS_MAX_INFLIGHT_BODY_BYTES), and every request gets an answer (200, or 503 OVERLOADED
 * with Retry-After) — none is lost, none is a platform error of another kind.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { startControlPlaneProcess } from './fixtures/control-plane-process.js';
import { startEchoProcess } from './fixtures/echo-process.js';

/**
 * With a 24 MiB budget (four 6 MiB bodies at once). A bound with margin, not a timing: measured
 * 215 MiB with this budget, 285 MiB with the default 64 MiB, 385 MiB with no bound at all.
 */
const PEAK_RSS_BOUND_BYTES = 320 * 1024 * 1024;

function peakRss(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

it('keeps the control plane under its memory bound with 16 concurrent 6 MiB invokes', {
  timeout: 180_000,
}, async () => {
  const data = mkdtempSync(join(tmpdir(), 'nanofaas-rss-'));
  const echo = await startEchoProcess({ ECHO_RAW: '1' });
  const cp = await startControlPlaneProcess({
    NANOFAAS_BACKEND: 'pool',
    NANOFAAS_DATA_DIR: data,
    NANOFAAS_MAX_INFLIGHT_BODY_BYTES: String(24 * 1024 * 1024),
  });
  try {
    const created = await fetch(`${cp.url}/v1/functions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'big', endpointUrl: echo.url, concurrency: 16, timeoutMs: 120_000 }),
    });
    assert.equal(created.status, 201, await created.text());
    const body = Buffer.from(`{"input":"${'x'.repeat(6 * 1024 * 1024 - 100)}"}`);
    const statuses = await Promise.all(
      Array.from({ length: 16 }, async () => {
        const response = await fetch(`${cp.url}/v1/functions/big:invoke`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        const text = await response.text();
        if (response.status === 503) assert.match(text, /OVERLOADED/);
        if (response.status === 200) assert.equal(text.length > body.length, true);
        return response.status;
      }),
    );
    assert.deepEqual(
      statuses.filter((status) => status !== 200 && status !== 503),
      [],
      `statuses: ${statuses.join(', ')}`,
    );
    assert.ok(statuses.includes(200));
    const peak = peakRss(cp.child.pid!);
    process.stdout.write(
      `# control plane peak RSS ${(peak / 1024 / 1024).toFixed(1)} MiB; statuses ${statuses.join(',')}\n`,
    );
    assert.ok(peak < PEAK_RSS_BOUND_BYTES, `peak RSS ${peak} bytes`);
  } finally {
    await cp.kill('SIGTERM');
    await echo.stop();
    rmSync(data, { recursive: true, force: true });
  }
});

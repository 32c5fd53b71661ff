/**
 * 16 concurrent 6 MiB invokes against the real control plane process, started as the launchers
 * start it: its peak RSS stays bounded (NANOFAAS_MAX_INFLIGHT_BODY_BYTES), every request gets an
 * answer (200, or 503 OVERLOADED with Retry-After) — none is lost, none is a platform error of
 * another kind — and once the burst is over the memory of its bodies goes back to the system.
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
/**
 * What the control plane may still hold over its RSS before the burst, once the burst is over: one
 * collection gives the bodies back (measured +46 MiB 6 s after; without --expose-gc +91 MiB, for as
 * long as no new traffic comes).
 */
const SETTLED_MARGIN_BYTES = 64 * 1024 * 1024;

function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

it('keeps the control plane under its memory bound with 16 concurrent 6 MiB invokes', {
  timeout: 180_000,
}, async () => {
  const data = mkdtempSync(join(tmpdir(), 'nanofaas-rss-'));
  const echo = await startEchoProcess({ ECHO_RAW: '1' });
  // As npm start, nanofaas up and the image start it (docs/configuration.md, "Memory").
  const cp = await startControlPlaneProcess(
    {
      NANOFAAS_BACKEND: 'pool',
      NANOFAAS_DATA_DIR: data,
      NANOFAAS_MAX_INFLIGHT_BODY_BYTES: String(24 * 1024 * 1024),
      MALLOC_MMAP_THRESHOLD_: '131072',
    },
    ['--expose-gc'],
  );
  const pid = cp.child.pid!;
  try {
    const created = await fetch(`${cp.url}/v1/functions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'big', endpointUrl: echo.url, concurrency: 16, timeoutMs: 120_000 }),
    });
    assert.equal(created.status, 201, await created.text());
    const before = statusKb(pid, 'VmRSS');
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
    const peak = statusKb(pid, 'VmHWM');
    process.stdout.write(
      `# control plane RSS before ${mib(before)}, peak ${mib(peak)}; statuses ${statuses.join(',')}\n`,
    );
    assert.ok(peak < PEAK_RSS_BOUND_BYTES, `peak RSS ${mib(peak)}`);

    // Idle now: no request comes that would make V8 collect the bodies on its own.
    let settled = statusKb(pid, 'VmRSS');
    for (let waited = 0; settled > before + SETTLED_MARGIN_BYTES && waited < 30_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      settled = statusKb(pid, 'VmRSS');
    }
    process.stdout.write(`# control plane RSS after the burst ${mib(settled)}\n`);
    assert.ok(
      settled <= before + SETTLED_MARGIN_BYTES,
      `RSS ${mib(settled)} 30 s after the burst, ${mib(before)} before it`,
    );
  } finally {
    await cp.kill('SIGTERM');
    await echo.stop();
    rmSync(data, { recursive: true, force: true });
  }
});

/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The callbacks of page.evaluate and waitForFunction run in the browser.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { type Browser, launchBrowser } from './browser.js';
import { type ControlPlane, startControlPlane } from './control-plane.js';

const ADMIN_KEY = 'dashboard-admin-key-0123456789';
const INVOKE_KEY = 'dashboard-invoke-key-0123456789';
const EXAMPLES = ['word-stats', 'json-transform', 'shell-stdio', 'file-bash', 'remote-oneshot'];
/** Screenshots of every page, kept for a person to look at (gitignored). */
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
/** Generous: the machine is shared and loaded; every wait is for a condition, never a fixed time. */
const WAIT_MS = 90_000;

describe('the dashboard in headless Chromium against a real control plane', { timeout: 600_000 }, () => {
  let dataDir: string;
  let controlPlane: ControlPlane;
  let browser: Browser;
  let page: Page;
  /** Content-Security-Policy violations and uncaught errors seen on any page. */
  const problems: string[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${controlPlane.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status };
  };

  const openPage = async () => {
    const opened = await browser.context.newPage();
    opened.setDefaultTimeout(WAIT_MS);
    opened.on('console', (message) => {
      if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text())) {
        problems.push(message.text());
      }
    });
    opened.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    return opened;
  };

  const signIn = async (target: Page, key: string, role: string) => {
    await target.goto(`${controlPlane.url}/ui/`);
    await target.locator('input[name="api-key"]').fill(key);
    await target.getByRole('button', { name: 'Sign in' }).click();
    await target.locator('[data-testid="role"]', { hasText: role }).waitFor();
  };

  const go = async (hash: string) => {
    await page.evaluate((target) => {
      location.hash = target;
    }, hash);
  };

  const screenshot = (target: Page, name: string) =>
    target.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'nanofaas-dashboard-e2e-'));
    controlPlane = await startControlPlane(dataDir, {
      NANOFAAS_API_KEYS: `${ADMIN_KEY}:admin,${INVOKE_KEY}:invoke`,
    });
    // json-transform scales to zero when idle: one call starts it, so all five read "ready".
    assert.equal(
      (
        await api('POST', '/v1/functions/json-transform:invoke', {
          input: { document: { a: 1 }, operations: [] },
        })
      ).status,
      200,
    );
    browser = await launchBrowser();
    page = await openPage();
  });

  after(async () => {
    await browser?.close();
    await controlPlane?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('asks for a key, then lists the five examples ready', async () => {
    await page.goto(`${controlPlane.url}/ui/`);
    await page.locator('input[name="api-key"]').waitFor();
    await screenshot(page, 'login');
    await page.locator('input[name="api-key"]').fill('not-the-right-key-000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('UNAUTHORIZED').waitFor();
    await signIn(page, ADMIN_KEY, 'admin');
    await go('#/functions');
    for (const name of EXAMPLES) {
      await page.locator(`tr[data-function="${name}"] .badge`, { hasText: /^ready$/ }).waitFor();
    }
    assert.equal(await page.locator('tr[data-function="remote-oneshot"] td').nth(2).textContent(), 'REMOTE');
    await screenshot(page, 'functions');
  });

  it('invokes word-stats from the editor, shows the output, and lists the execution', async () => {
    await go('#/functions/word-stats');
    const input = page.locator('textarea[name="input"]');
    await input.fill('{"text": "to be or not to be"');
    assert.equal(await page.getByRole('button', { name: 'Invoke' }).isDisabled(), true);
    await page.getByText('Not valid JSON').waitFor();
    await input.fill('{"text": "to be or not to be"}');
    await page.getByRole('button', { name: 'Invoke' }).click();
    const result = page.locator('[data-testid="invocation-result"]');
    await result.locator('pre', { hasText: '"words": 6' }).waitFor();
    assert.match((await result.textContent()) ?? '', /"uniqueWords": 4/);
    const executionId = (await result.locator('a.mono').textContent())!.trim();
    assert.match(executionId, /^[0-9a-f-]{36}$/);

    await go('#/executions');
    await page.locator(`tr[data-execution="${executionId}"]`).waitFor();
    await screenshot(page, 'executions');

    await page.locator(`tr[data-execution="${executionId}"] a`, { hasText: executionId }).click();
    await page.locator('pre[data-label="output"]', { hasText: '"word": "to"' }).waitFor();
    await page.locator('pre[data-label="input"]', { hasText: '"text": "to be or not to be"' }).waitFor();
    await page.locator('.facts', { hasText: 'word-stats' }).waitFor();
    await screenshot(page, 'execution');
  });

  it('shows a failing invocation’s error and its origin, in the result and on the execution', async () => {
    await go('#/functions/word-stats');
    await page.locator('textarea[name="input"]').fill('42');
    await page.getByRole('button', { name: 'Invoke' }).click();
    const alert = page.locator('[data-testid="invocation-result"] [role="alert"]');
    await alert.getByText('INVALID_INPUT').waitFor();
    assert.match((await alert.textContent()) ?? '', /origin: function/);
    const executionId = (await page
      .locator('[data-testid="invocation-result"] a.mono')
      .textContent())!.trim();
    await go(`#/executions/${executionId}`);
    const onPage = page.locator('.execution-page [role="alert"]', { hasText: 'INVALID_INPUT' });
    await onPage.waitFor();
    assert.match((await onPage.textContent()) ?? '', /origin: function.*must be a string/s);
    await screenshot(page, 'execution-error');

    // The list filtered by status (through the form) holds it, and no success.
    await go('#/executions');
    await page.locator('select[name="status"]').selectOption('error');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator(`tr[data-execution="${executionId}"]`).waitFor();
    await page.waitForFunction(() => location.hash.includes('status=error'));
    assert.equal(await page.locator('.executions-table .status-success').count(), 0);
  });

  it('follows the function’s log and charts its latency', async () => {
    await go('#/functions/word-stats');
    await page.locator('.log li', { hasText: 'listening' }).first().waitFor();
    await page.locator('.chart canvas').first().waitFor();
    await page.locator('.executions-table tr[data-execution]').first().waitFor();
    await screenshot(page, 'function-word-stats');
  });

  it('scales a function to 0 and shows "scaled to zero"', async () => {
    await go('#/functions/shell-stdio');
    await page.locator('h1 .badge', { hasText: /^ready$/ }).waitFor();
    await page.locator('input[name="replicas"]').fill('0');
    await page.getByRole('button', { name: 'Scale', exact: true }).click();
    await page.locator('h1 .badge', { hasText: 'scaled to zero' }).waitFor();
    await go('#/functions');
    await page.locator('tr[data-function="shell-stdio"] .badge', { hasText: 'scaled to zero' }).waitFor();
  });

  it('deletes a function only after confirmation', async () => {
    await go('#/functions/file-bash');
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Delete file-bash?').waitFor();
    assert.equal((await api('GET', '/v1/functions/file-bash')).status, 200);
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('Deleted.').waitFor();
    assert.equal((await api('GET', '/v1/functions/file-bash')).status, 404);
  });

  it('shows the overview with totals and invocations per second', async () => {
    await go('#/');
    await page.locator('.tile', { hasText: 'Invocations (5m)' }).waitFor();
    await page.locator('.chart canvas').waitFor();
    await page.waitForFunction(() => {
      const tile = [...document.querySelectorAll('.tile')].find((t) =>
        t.textContent?.includes('Invocations (5m)'),
      );
      return Number(tile?.querySelector('.tile-value')?.textContent) >= 3;
    });
    await screenshot(page, 'overview');
  });

  it('lets the invoke role see and invoke, but offers it no delete, scale or log', async () => {
    const invoker = await openPage();
    try {
      await signIn(invoker, INVOKE_KEY, 'invoke');
      await invoker.evaluate(() => {
        location.hash = '#/functions/word-stats';
      });
      await invoker.locator('h1 .badge', { hasText: /^ready$/ }).waitFor();
      await invoker.getByRole('button', { name: 'Invoke' }).waitFor();
      assert.equal(await invoker.getByRole('button', { name: 'Delete' }).count(), 0);
      assert.equal(await invoker.locator('[data-testid="admin-actions"]').count(), 0);
      assert.equal(await invoker.locator('.live-log').count(), 0);
      await screenshot(invoker, 'function-invoke-role');
    } finally {
      await invoker.close();
    }
  });

  it('met no Content-Security-Policy violation or page error', () => {
    assert.deepEqual(problems, []);
  });
});

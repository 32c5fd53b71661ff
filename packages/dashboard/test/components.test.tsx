import type { ExecutionStats, FunctionResponse } from '@nanofaas/contracts';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfirmButton } from '../src/components/confirm-button.js';
import { FunctionsTable } from '../src/components/functions-table.js';
import { InvocationResult } from '../src/components/invoke-panel.js';
import { JsonEditor } from '../src/components/json-editor.js';
import { replicaRows } from '../src/components/replicas-table.js';

let root: HTMLElement;
beforeEach(() => {
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
});

function fn(name: string, overrides: Partial<FunctionResponse> = {}): FunctionResponse {
  return {
    name,
    executionMode: 'DEPLOYMENT',
    effectiveExecutionMode: 'DEPLOYMENT',
    runtimeMode: 'HTTP',
    revision: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  } as FunctionResponse;
}

const stats = {
  window: '5m',
  functions: [
    {
      functionName: 'word-stats',
      total: 8,
      counts: { success: 6, error: 2, timeout: 0, queued: 0, running: 0 },
      errorRate: 0.25,
      latencyMs: { p50: 12, p95: 1500 },
      coldStarts: 0,
      inFlight: 3,
      queued: 5,
    },
  ],
} as unknown as ExecutionStats;

const cells = (row: Element | null) =>
  [...(row?.querySelectorAll('td') ?? [])].map((cell) => cell.textContent);

describe('FunctionsTable', () => {
  it('shows state, modes, replicas ready/wanted, load, error rate and percentiles per function', () => {
    render(
      <FunctionsTable
        functions={[
          fn('word-stats', { status: { state: 'ready', replicas: 2, readyReplicas: 1 } }),
          fn('json-transform', { status: { state: 'scaled-to-zero', replicas: 0, readyReplicas: 0 } }),
          fn('remote-oneshot', {
            effectiveExecutionMode: 'REMOTE',
            runtimeMode: 'STDIO',
            status: { state: 'ready', replicas: 0, readyReplicas: 0 },
          }),
          fn('broken', { status: { state: 'pending', replicas: 1, readyReplicas: 0 } }),
        ]}
        stats={stats}
      />,
      root,
    );
    expect(cells(root.querySelector('[data-function="word-stats"]'))).toEqual([
      'word-stats',
      'ready',
      'DEPLOYMENT',
      'HTTP',
      '1/2',
      '3',
      '5',
      '25 %',
      '12 ms',
      '1.50 s',
    ]);
    expect(cells(root.querySelector('[data-function="json-transform"]'))[1]).toBe('scaled to zero');
    expect(cells(root.querySelector('[data-function="remote-oneshot"]'))[4]).toBe('one-shot');
    expect(cells(root.querySelector('[data-function="broken"]'))[1]).toBe('starting');
    expect(cells(root.querySelector('[data-function="json-transform"]')).slice(7)).toEqual(['–', '–', '–']);
  });
});

describe('JsonEditor', () => {
  it('keeps the button off and says why while the input is not JSON, then submits the text as typed', async () => {
    const submitted: string[] = [];
    render(
      <JsonEditor
        label="Input"
        initial="{"
        submitLabel="Invoke"
        busy={false}
        onSubmit={(text) => submitted.push(text)}
      />,
      root,
    );
    const button = root.querySelector('button')!;
    expect(button.disabled).toBe(true);
    expect(root.querySelector('[role="alert"]')?.textContent).toMatch(/Not valid JSON/);
    const textarea = root.querySelector('textarea')!;
    await act(() => {
      textarea.value = '{"n": 7.0}';
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(button.disabled).toBe(false);
    expect(root.querySelector('[role="alert"]')).toBeNull();
    await act(() => {
      root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    expect(submitted).toEqual(['{"n": 7.0}']);
  });
});

describe('ConfirmButton', () => {
  it('acts only after the question is confirmed, and not after cancel', async () => {
    const onConfirm = vi.fn();
    render(<ConfirmButton label="Delete" question="Delete word-stats?" danger onConfirm={onConfirm} />, root);
    const click = (text: string) =>
      act(() => {
        [...root.querySelectorAll('button')].find((button) => button.textContent === text)!.click();
      });
    await click('Delete');
    expect(root.textContent).toContain('Delete word-stats?');
    await click('Cancel');
    expect(onConfirm).not.toHaveBeenCalled();
    await click('Delete');
    await click('Yes, delete');
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });
});

describe('InvocationResult', () => {
  it('shows a success output with its literals unchanged', () => {
    render(
      <InvocationResult
        answer={{
          status: 200,
          text: '{"executionId":"e1","status":"success","output":{"v":7.0}}',
          origin: undefined,
          executionId: 'e1',
        }}
      />,
      root,
    );
    expect(root.querySelector('pre')?.textContent).toBe('{\n  "v": 7.0\n}');
  });

  it('shows a failure with its code, message and origin', () => {
    render(
      <InvocationResult
        answer={{
          status: 500,
          text: '{"executionId":"e2","status":"error","error":{"code":"INVALID_INPUT","message":"field \\"text\\": must be a string","origin":"function"}}',
          origin: 'function',
          executionId: 'e2',
        }}
      />,
      root,
    );
    const alert = root.querySelector('[role="alert"]')!;
    expect(alert.textContent).toContain('INVALID_INPUT');
    expect(alert.textContent).toContain('origin: function');
    expect(alert.textContent).toContain('must be a string');
    expect(root.querySelector('pre')).toBeNull();
  });
});

describe('replicaRows', () => {
  it('reads local processes and Kubernetes pods alike', () => {
    const local = fn('a', {
      status: {
        state: 'ready',
        replicas: 1,
        readyReplicas: 1,
        instances: [{ id: 'r1', pid: 42, port: 5000, state: 'ready', inFlight: 2 }],
      },
    } as Partial<FunctionResponse>);
    expect(replicaRows(local)).toEqual([
      { id: 'r1', where: 'pid 42 · port 5000', state: 'ready', inFlight: '2', restarts: '–' },
    ]);
    const pods = fn('b', {
      status: {
        state: 'ready',
        replicas: 1,
        readyReplicas: 1,
        instances: [{ pod: 'fn-b-1', ready: true, restarts: 3 }],
      },
    } as Partial<FunctionResponse>);
    expect(replicaRows(pods)).toEqual([
      { id: '1', where: 'pod fn-b-1', state: 'ready', inFlight: '–', restarts: '3' },
    ]);
    expect(replicaRows(fn('c'))).toEqual([]);
  });
});

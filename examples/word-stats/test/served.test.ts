import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// The built function served by the real runtime over HTTP, as the README shows.
const cli = fileURLToPath(new URL('./cli.js', import.meta.resolve('@nanofaas/runtime')));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('word-stats served by nanofaas-runtime', () => {
  let child: ChildProcess;
  let url: string;

  before(async () => {
    child = spawn(process.execPath, [cli, built], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', HANDLER: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        const line = text.split('\n').find((candidate) => candidate.includes('"listening"'));
        if (line !== undefined) resolve((JSON.parse(line) as { url: string }).url);
      });
      child.on('exit', (code) => reject(new Error(`runtime exited with ${code}: ${text}`)));
    });
  });
  after(() => {
    child.kill('SIGKILL');
  });

  it('answers POST /invoke with the statistics', async () => {
    const response = await fetch(`${url}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: { text: 'to be or not to be', topN: 2 } }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      words: 6,
      uniqueWords: 4,
      top: [
        { word: 'be', count: 2 },
        { word: 'to', count: 2 },
      ],
    });
  });

  it('answers bad input with 500 and the INVALID_INPUT error', async () => {
    const response = await fetch(`${url}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: { text: 1 } }),
    });
    assert.equal(response.status, 500);
    assert.equal(response.headers.get('x-error-origin'), 'function');
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(error.code, 'INVALID_INPUT');
    assert.match(error.message, /field "text"/);
  });
});

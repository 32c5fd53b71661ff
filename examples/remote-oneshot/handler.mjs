#!/usr/bin/env node
// nanofaas example "remote-oneshot" (executionMode REMOTE, runtimeMode STDIO): every invocation
// is a fresh one-shot process that reports back through the completion callback, the way a
// Kubernetes Job would. Good for batch work that should not share a warm process.
// Input: {"limit": 2..10000000} (default 100000). Output: how many primes are <= limit.
const MAX_LIMIT = 10_000_000;

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
const input = request.input ?? {};
const limit = input.limit ?? 100_000;

if (!Number.isInteger(limit) || limit < 2 || limit > MAX_LIMIT) {
  // A STDIO function reports its own error as {"error": {...}} on stdout and a non-zero exit.
  const message = `field "limit": must be a whole number from 2 to ${MAX_LIMIT}, got ${JSON.stringify(limit)}`;
  process.stdout.write(`${JSON.stringify({ error: { code: 'INVALID_INPUT', message } })}\n`);
  process.exit(1);
}

const started = performance.now();
const composite = new Uint8Array(limit + 1);
let count = 0;
let largest = 0;
for (let n = 2; n <= limit; n++) {
  if (composite[n]) continue;
  count++;
  largest = n;
  for (let multiple = n * n; multiple <= limit; multiple += n) composite[multiple] = 1;
}

const output = {
  limit,
  primes: count,
  largest,
  durationMs: Math.round(performance.now() - started),
  pid: process.pid,
};
process.stdout.write(`${JSON.stringify(output)}\n`);

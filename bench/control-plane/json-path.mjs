#!/usr/bin/env node
// The JSON work of one sync invoke in the control plane, in process (CPU only, no I/O), so that
// it can be compared on a loaded machine: the request body to the bytes sent to the function, and
// the function's answer to the bytes of the response. "parse + serialise" is what the invoke path
// did before the lossless path (JSON.parse of the body, schema check, JSON.stringify of the
// request, JSON.parse of the answer, string splice); "scan" is what it does now.
// Usage: node bench/control-plane/json-path.mjs (after npm run build). Minimum of 15 rounds.
import { InvocationRequestValidator, JsonLimits, scanJson } from '@nanofaas/contracts';
import { parseInvocationBody } from '../../packages/control-plane/dist/http/invocation-body.js';

const head = '{"executionId":"01a2336a-a651-7930-b9af-fd7ca4bff6b2","status":"success","coldStart":false}';
const payloads = {
  'small (49 B)': { input: { text: 'the quick brown fox', topN: 3 } },
  'large (1.2 MB)': {
    input: Array.from({ length: 20000 }, (_, i) => ({
      id: i,
      name: `item ${i}`,
      tags: ['a', 'b'],
      v: i * 1.5,
    })),
  },
};

function before(body, answer) {
  const request = JSON.parse(body.toString('utf8'));
  if (!InvocationRequestValidator.check(request)) throw new Error('invalid');
  const sent = Buffer.from(JSON.stringify(request));
  const text = answer.toString('utf8');
  JSON.parse(text);
  const response = Buffer.from(`${head.slice(0, -1)},"output":${text}}`);
  return sent.length + response.length;
}

function after(body, answer) {
  const sent = parseInvocationBody(body);
  if (!scanJson(answer, JsonLimits.maxDepth).ok) throw new Error('invalid');
  const prefix = Buffer.from(`${head.slice(0, -1)},"output":`);
  const response = Buffer.concat([prefix, answer, Buffer.from('}')]);
  return sent.length + response.length;
}

for (const [label, payload] of Object.entries(payloads)) {
  const body = Buffer.from(JSON.stringify(payload));
  const answer = Buffer.from(JSON.stringify(payload.input));
  const reps = body.length > 10_000 ? 5 : 20_000;
  const best = { before: Infinity, after: Infinity };
  for (let round = 0; round < 15; round++) {
    for (const [name, run] of [
      ['before', before],
      ['after', after],
    ]) {
      const started = process.hrtime.bigint();
      for (let r = 0; r < reps; r++) run(body, answer);
      best[name] = Math.min(best[name], Number(process.hrtime.bigint() - started) / reps);
    }
  }
  const fmt = (ns) => (ns > 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(2)} µs`);
  console.log(
    `${label}: parse + serialise ${fmt(best.before)}, scan ${fmt(best.after)} (${Math.round((100 * best.after) / best.before)} %)`,
  );
}

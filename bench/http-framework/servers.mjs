// The two candidates for the control plane's HTTP layer, each with one route shaped like :invoke:
// POST /v1/functions/:name:invoke with a small JSON body, parsed, answered with a small JSON body.
// Usage: node servers.mjs node|fastify <fastify module dir>; prints "listening <port>".
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [kind, fastifyDir] = process.argv.slice(2);
const answer = (name, body) => ({ executionId: 'e', status: 'success', output: { name, input: body.input } });

if (kind === 'node') {
  const server = createServer((req, res) => {
    const match = /^\/v1\/functions\/([a-z0-9-]+):invoke$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      res.writeHead(404).end();
      return;
    }
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const text = JSON.stringify(answer(match[1], body));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
} else {
  const Fastify = createRequire(join(fastifyDir, 'package.json'))('fastify');
  const app = Fastify({ logger: false });
  app.post('/v1/functions/:invocation', async (request) => {
    const name = request.params.invocation.replace(/:invoke$/, '');
    return answer(name, request.body);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  console.log(`listening ${app.server.address().port}`);
}

// The limit the runtime is measured against: a bare node:http server doing the least any runtime
// must do to answer POST /invoke — read the body, parse the InvocationRequest, serialise its input.
import { createServer } from 'node:http';

const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/health') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"status":"ok"}');
    return;
  }
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8')).input);
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  process.stderr.write(`${JSON.stringify({ msg: 'listening', url: `http://${address}:${port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

// The reference for "one extra hop": the smallest keep-alive Node reverse proxy. It forwards every
// request to TARGET_URL (http://host:port/path) and streams the answer back. Prints "listening <port>".
import { Agent, createServer, request } from 'node:http';

const target = new URL(process.env.TARGET_URL);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

const server = createServer((req, res) => {
  const upstream = request(
    {
      agent,
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: req.method,
      headers: req.headers,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    res.writeHead(502).end();
  });
  req.pipe(upstream);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});

// P9's floor, run as its own process: a bare node:http pipe to the sandbox (kept-alive agent, the key added), no framework, no checks.
import { Agent, createServer, request } from 'node:http';
import { pipeline } from 'node:stream';

if (!process.env.PIPE_TARGET || !URL.canParse(process.env.PIPE_TARGET)) {
  throw new Error(`PIPE_TARGET must be the sandbox's origin, got ${JSON.stringify(process.env.PIPE_TARGET)}`);
}
const target = new URL(process.env.PIPE_TARGET);
const key = process.env.PIPE_KEY ?? '';
const agent = new Agent({ keepAlive: true });

const server = createServer((req, res) => {
  const headers = { ...req.headers, host: target.host, authorization: `Bearer ${key}` };
  const upstream = request(
    new URL(req.url ?? '/', target),
    { method: req.method, headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      pipeline(answer, res, () => undefined);
    },
  );
  upstream.on('error', () => res.destroy());
  pipeline(req, upstream, () => undefined);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(`PIPE_URL=http://127.0.0.1:${address.port}/`);
});

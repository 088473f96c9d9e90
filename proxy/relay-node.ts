// The relay's upstream exchange on Node: node:http(s) with kept-alive connections, piped into the server's own response.
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream';
import type { UpstreamPipe } from './relay.ts';

export interface NodePipeOptions {
  /** Extra certificate authorities for https upstreams (tests' self-signed vendors); the system's are kept. */
  ca?: string | Buffer;
}

/**
 * What `createRelay` gets as `pipe` when the app runs under @hono/node-server: one upstream GET or HEAD whose answer
 * goes straight into Node's response, with no web Request, Response or stream in between. Measured on the relay
 * benchmark (P9) that was most of the relay's own cost per page (docs/ARCHITECTURE.md, Relay). Compressed
 * answers pass through compressed: the client's `Accept-Encoding` goes upstream and the vendor's
 * `Content-Encoding` comes back, so the browser, not the relay, inflates them.
 */
export function nodeUpstreamPipe(options: NodePipeOptions = {}): UpstreamPipe {
  const http = new HttpAgent({ keepAlive: true });
  const https = new HttpsAgent({ keepAlive: true, ...(options.ca ? { ca: options.ca } : {}) });
  return (c: Context, exchange) => {
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (!outgoing) return Promise.resolve(null);
    const { url, method, signal } = exchange;
    const headers = { ...exchange.headers };
    const encodings = c.req.header('accept-encoding');
    if (encodings) headers['accept-encoding'] = encodings;
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(
        url,
        { method, headers, agent: secure ? https : http, signal },
        (res: IncomingMessage) => {
          const location = res.headers.location;
          if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
            res.resume();
            resolve({ redirect: location });
            return;
          }
          const kept: Record<string, string> = {};
          for (const [name, value] of exchange.keep(headerEntries(res))) kept[name] = value;
          outgoing.writeHead(res.statusCode ?? 502, kept);
          // A client gone, a vendor cut off or the deadline: pipeline destroys both sides.
          pipeline(res, outgoing, () => undefined);
          resolve({ response: RESPONSE_ALREADY_SENT });
        },
      );
      request.on('error', reject);
      request.end();
    });
  };
}

/** Node's parsed response headers as pairs; a repeated header (other than Set-Cookie, never kept) is one value. */
function headerEntries(res: IncomingMessage): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(res.headers)) {
    if (typeof value === 'string') out.push([name, value]);
    else if (Array.isArray(value)) out.push([name, value.join(', ')]);
  }
  return out;
}

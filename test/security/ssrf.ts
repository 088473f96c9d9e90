// SSRF probes: relay paths, redirects and base URLs that try to leave the source's own base URL.
import { expect } from 'vitest';
import { hit, onlyIndex, refused, type Ctx, type Probe } from './context.ts';

export function ssrfProbes(ctx: Ctx, probe: Probe): void {
  const relay = (path: string, method = 'GET') => hit(ctx.local, { path: `/api/relay/${path}`, method });
  const upstreamHits = () => ctx.upstream.seen.length;

  /** Paths refused by checkRelayPath before any request leaves the proxy. */
  const badPaths: [string, () => string][] = [
    ['an absolute URL', () => 'fake/http://evil.example/x'],
    ['an absolute https URL with encoded slashes', () => 'fake/https:%2f%2fevil.example/x'],
    ['a protocol-relative //host', () => 'fake//evil.example/x'],
    ['a leading @host (user info)', () => 'fake/@evil.example/x'],
    ['user info mid-path', () => 'fake/v1@evil.example/x'],
    ['the metadata IP as a URL', () => 'fake/http://169.254.169.254/latest/meta-data/'],
    ['the metadata IP as //host', () => 'fake//169.254.169.254/latest/meta-data/'],
    ['127.0.0.1:<canary> as host:port', () => `fake/127.0.0.1:${ctx.canary.port}/x`],
    ['[::1]:<canary>', () => `fake/[::1]:${ctx.canary.port}/x`],
    ['hex IP 0x7f000001 as //host', () => `fake//0x7f000001:${ctx.canary.port}/x`],
    ['decimal IP 2130706433 as a URL', () => `fake/http://2130706433:${ctx.canary.port}/x`],
    ['localhost:<canary>', () => `fake/localhost:${ctx.canary.port}/x`],
    ['a trailing-dot localhost. as //host', () => `fake//localhost.:${ctx.canary.port}/x`],
    ['short IP 127.1 as a URL', () => `fake/http://127.1:${ctx.canary.port}/x`],
    ['an encoded backslash %5c', () => 'fake/%5cevil.example/x'],
    ['an encoded backslash %5C after a segment', () => 'fake/v1/%5C%5Cevil.example/x'],
    ['encoded dots %2e%2e with an encoded slash', () => 'fake/%2e%2e%2fadmin'],
    ['an encoded dot segment inside a name', () => 'fake/v1/%2e%2ehidden'],
    ['encoded slashes climbing out', () => 'fake/v1%2f..%2f..%2fadmin'],
    ['an encoded NUL', () => 'fake/v1/customers%00.json'],
    ['a javascript: scheme', () => 'fake/javascript:alert(1)'],
    ['a file: scheme', () => 'fake/file:///etc/passwd'],
  ];
  for (const [label, path] of badPaths) {
    probe(`relay path: ${label} → 400 bad_relay_path`, async () => {
      const before = upstreamHits();
      refused(await relay(path()), 400, 'bad_relay_path');
      expect(upstreamHits()).toBe(before);
    });
  }

  probe('relay path: a raw backslash is refused by the HTTP adapter (400, nothing relayed)', async () => {
    const before = upstreamHits();
    const res = await relay('fake/\\\\evil.example/x');
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('upstream');
    expect(upstreamHits()).toBe(before);
  });

  probe('relay path: raw .. segments are resolved before routing and never reach upstream', async () => {
    const before = upstreamHits();
    refused(await relay('fake/v1/../../../admin'), 404, 'not_found');
    onlyIndex(await relay('fake/../../../etc/passwd'));
    expect(upstreamHits()).toBe(before);
  });

  probe('relay path: %2e%2e dot segments are resolved like .. and stay on this proxy', async () => {
    const before = upstreamHits();
    refused(await relay('fake/%2e%2e/%2e%2e/admin'), 404, 'not_found');
    refused(await relay('fake/%2e%2e/x'), 404, 'unknown_source');
    expect(upstreamHits()).toBe(before);
  });

  probe('relay path: double-encoded %252e%252e is passed verbatim, still under the base path', async () => {
    const res = await relay('fake/%252e%252e/%252e%252e/x');
    expect(res.status).toBe(200);
    expect(ctx.upstream.seen.at(-1)!.target).toBe('/v1base/%252e%252e/%252e%252e/x');
  });

  probe('relay path: dotted IP literals as plain segments stay under the base path', async () => {
    for (const segment of ['0x7f000001', '2130706433', '169.254.169.254']) {
      expect((await relay(`fake/${segment}/x`)).status).toBe(200);
      expect(ctx.upstream.seen.at(-1)!.target).toBe(`/v1base/${segment}/x`);
    }
  });

  const offHost: [string, string][] = [
    ['to the canary', 'to-canary'],
    ['protocol-relative to the canary', 'protocol-relative'],
    ['to the cloud metadata address', 'metadata'],
    ['to localhost on another port', 'localhost'],
    ['with user info hiding the real host', 'userinfo-host'],
    ['to the same host with user info', 'userinfo-same'],
    ['to https on the same host (another origin)', 'https-downgrade'],
  ];
  for (const [label, kind] of offHost) {
    probe(`redirect ${label} → 502 redirect_refused`, async () => {
      refused(await relay(`fake/redirect/${kind}`), 502, 'redirect_refused');
    });
  }

  probe('unknown source → 404 unknown_source', async () => {
    refused(await relay('nosuch/v1/customers'), 404, 'unknown_source');
  });

  probe('source names with traversal → 404 unknown_source, or 400 when not a relay path', async () => {
    refused(await relay('..%2ffake/v1/customers'), 404, 'unknown_source');
    refused(await relay('fake%2f..%2fstripe/v1/customers'), 404, 'unknown_source');
    refused(await relay('%66ake/v1/customers'), 400, 'bad_relay_path');
    refused(await relay('fake'), 400, 'bad_relay_path');
  });

  probe('an absolute-form request target naming another host → 421 bad_host', async () => {
    refused(await hit(ctx.local, { path: 'http://evil.example/api/relay/fake/v1' }), 421, 'bad_host');
  });

  probe('an absolute-form target naming the canary is answered locally, never forwarded', async () => {
    onlyIndex(await hit(ctx.local, { path: `http://127.0.0.1:${ctx.canary.port}/` }));
  });

  const baseUrls: [string, () => string][] = [
    ['the metadata IP', () => 'https://169.254.169.254/'],
    ['the canary', () => `https://127.0.0.1:${ctx.canary.port}/`],
    ['http on the right host', () => 'http://api.stripe.com/'],
    ['a look-alike host', () => 'https://api.stripe.com.evil.example/'],
    ['user info before another host', () => 'https://api.stripe.com@evil.example/'],
    ['localhost', () => 'https://localhost/'],
  ];
  for (const [label, url] of baseUrls) {
    probe(`PUT base_url at ${label} → 400 invalid_base_url`, async () => {
      const res = await hit(ctx.local, {
        path: '/api/sources/ssrf/credentials',
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'stripe', base_url: url(), credentials: { api_key: 'sk_test_x' } }),
      });
      refused(res, 400, 'invalid_base_url');
    });
  }
}

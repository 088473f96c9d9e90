import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { configFromEnv, displayUrl, UnsafeConfigError } from './config.ts';

const TOKEN = 'config-token-0123456789abcdef';

/** Runs an npm script with `env` added; resolves with its exit code and everything it printed. */
function npm(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn('npm', ['run', '--silent', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => done({ code, output }));
  });
}

describe('configFromEnv', () => {
  it('reads HOST, PORT and the DINOBASE_* settings', () => {
    const config = configFromEnv({
      HOST: '0.0.0.0',
      PORT: '9000',
      DINOBASE_TOKEN: TOKEN,
      DINOBASE_PUBLIC_URL: 'https://dinobase.example.com/app',
      DINOBASE_ALLOWED_ORIGINS: 'http://localhost:5173, ,http://127.0.0.1:5173',
      DINOBASE_TRUSTED_PROXIES: '1',
      DINOBASE_RELAY_TIMEOUT_MS: '5000',
    });
    expect(config).toMatchObject({
      hostname: '0.0.0.0',
      port: 9000,
      token: TOKEN,
      publicOrigin: 'https://dinobase.example.com',
      extraOrigins: ['http://localhost:5173', 'http://127.0.0.1:5173'],
      trustedProxies: 1,
      relay: { timeoutMs: 5000 },
      // The sandboxes' write endpoints are open to anyone: off on a public bind unless asked for.
      sandbox: false,
    });
    expect(configFromEnv({}).sandbox).toBe(true);
    expect(configFromEnv({ HOST: '0.0.0.0', DINOBASE_TOKEN: TOKEN, DINOBASE_SANDBOX: 'on' }).sandbox).toBe(
      true,
    );
  });

  it('refuses a public bind or a public URL without a token, a short token and a bad PORT', () => {
    for (const env of [
      { HOST: '0.0.0.0' },
      { HOST: '::' },
      { HOST: '0.0.0.0', DINOBASE_TOKEN: 'fifteen-chars-x' },
      { DINOBASE_PUBLIC_URL: 'https://dinobase.example.com' },
      { DINOBASE_TOKEN: 'short' },
    ]) {
      expect(() => configFromEnv(env), JSON.stringify(env)).toThrow(UnsafeConfigError);
    }
    expect(() => configFromEnv({ PORT: '70000' })).toThrow('PORT must be an integer between 0 and 65535');
    expect(() => configFromEnv({ DINOBASE_PUBLIC_URL: 'not a url' })).toThrow('DINOBASE_PUBLIC_URL');
  });
});

describe('displayUrl', () => {
  it('prints an address a browser can open, and says when every interface listens', () => {
    expect(displayUrl({ hostname: '127.0.0.1', port: 8787 })).toEqual({ url: 'http://127.0.0.1:8787' });
    expect(displayUrl({ hostname: '::1', port: 8787 })).toEqual({ url: 'http://[::1]:8787' });
    expect(displayUrl({ hostname: '192.0.2.10', port: 8787 })).toEqual({ url: 'http://192.0.2.10:8787' });
    expect(displayUrl({ hostname: '0.0.0.0', port: 8787 })).toEqual({
      url: 'http://127.0.0.1:8787',
      note: 'listening on all interfaces, 0.0.0.0:8787',
    });
    expect(displayUrl({ hostname: '::', port: 8787 })).toEqual({
      url: 'http://[::1]:8787',
      note: 'listening on all interfaces, [::]:8787',
    });
    expect(
      displayUrl({ hostname: '0.0.0.0', port: 8787, publicOrigin: 'https://dinobase.example.com' }),
    ).toEqual({ url: 'https://dinobase.example.com', note: 'listening on all interfaces, 0.0.0.0:8787' });
  });
});

describe('npm start', () => {
  it('refuses HOST=0.0.0.0 without a token before building anything', async () => {
    const { code, output } = await npm('start', { HOST: '0.0.0.0', PORT: '0', DINOBASE_TOKEN: '' });
    expect(code).toBe(1);
    expect(output).toContain('Refusing to listen on 0.0.0.0 without DINOBASE_TOKEN');
    // Vite's banner and progress lines: the build never started.
    expect(output).not.toMatch(/vite v\d|building|transforming/i);
  }, 300_000);
});

describe('DINOBASE_READ_TOKEN', () => {
  it('is read beside DINOBASE_TOKEN', () => {
    const readToken = 'read-token-0123456789abcdef';
    expect(configFromEnv({ DINOBASE_TOKEN: TOKEN, DINOBASE_READ_TOKEN: readToken }).readToken).toBe(
      readToken,
    );
  });

  it('is refused alone, short, or equal to the full token', () => {
    expect(() => configFromEnv({ DINOBASE_READ_TOKEN: 'read-token-0123456789abcdef' })).toThrow(
      /set DINOBASE_TOKEN/,
    );
    expect(() => configFromEnv({ DINOBASE_TOKEN: TOKEN, DINOBASE_READ_TOKEN: 'short' })).toThrow(
      UnsafeConfigError,
    );
    expect(() => configFromEnv({ DINOBASE_TOKEN: TOKEN, DINOBASE_READ_TOKEN: TOKEN })).toThrow(/must differ/);
  });
});

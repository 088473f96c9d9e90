// The UI's calls to the proxy's own API: sources and credentials. Secrets go up once and never come back.
import type { ErrorBody, SessionState, SourceInput, SourceSummary } from '../../proxy/contract.ts';
import { DinobaseError } from '../../worker/errors.ts';

export type { SessionState, SourceInput, SourceSummary };

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, credentials: 'same-origin' });
  } catch (error) {
    // A coded error: callers tell "the server is not there" (offline, a normal state) from "it said no".
    throw new DinobaseError(
      'network_error',
      `The Dinobase server is unreachable (${error instanceof Error ? error.message : String(error)}).`,
      { cause: error },
    );
  }
  const body = (await response.json().catch(() => null)) as (T & Partial<ErrorBody>) | null;
  if (response.status === 401) {
    location.assign('/login');
    throw new Error('Log in first.');
  }
  if (!response.ok || body === null) {
    throw new Error(body?.error ?? `The server answered ${response.status} for ${path}.`);
  }
  return body;
}

export async function listProxySources(): Promise<SourceSummary[]> {
  return (await call<{ sources: SourceSummary[] }>('/api/sources')).sources;
}

export async function saveCredentials(name: string, input: SourceInput): Promise<SourceSummary> {
  const body = await call<{ source: SourceSummary }>(`/api/sources/${encodeURIComponent(name)}/credentials`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return body.source;
}

export async function deleteCredentials(name: string): Promise<void> {
  await call(`/api/sources/${encodeURIComponent(name)}/credentials`, { method: 'DELETE' });
}

/** Whether this server asks for DINOBASE_TOKEN (it may always be asked, logged in or not). */
export function sessionState(): Promise<SessionState> {
  return call<SessionState>('/api/session');
}

// The mutable request a page fetch is built from, and what a fetched page hands to its paginator.

export interface PageRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** JSON body for POST requests (REST search endpoints, GraphQL). */
  json?: Record<string, unknown>;
}

export interface PageResponse {
  status: number;
  headers: Headers;
  body: unknown;
  records: unknown[];
}

export function cloneRequest(request: PageRequest): PageRequest {
  return {
    url: new URL(request.url),
    method: request.method,
    headers: { ...request.headers },
    json: request.json === undefined ? undefined : structuredClone(request.json),
  };
}

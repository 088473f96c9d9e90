// The mutable request a page fetch is built from, and what a fetched page hands to its paginator.

export interface PageRequest {
  url: URL;
  /** Syncs only GET and POST; the write-back also sends PUT, PATCH and DELETE. */
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers: Record<string, string>;
  /** JSON body for POST requests (REST search endpoints, GraphQL) and JSON writes. */
  json?: Record<string, unknown>;
  /** `application/x-www-form-urlencoded` body as ordered pairs (Stripe writes); ignored when `json` is set. */
  form?: [string, string][];
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
    ...(request.form === undefined ? {} : { form: request.form.map(([k, v]): [string, string] => [k, v]) }),
  };
}

// Guards for values parsed from JSON (API answers, stored envelopes), shared by the engine and the proxy.

/** A JSON object: not null, not an array. */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

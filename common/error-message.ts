// The text of anything thrown, for messages that wrap it: shared by the engine (worker/errors.ts) and the proxy.
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

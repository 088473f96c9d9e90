// Runs work that must not come before what the user asked for: once the page is idle (or after a bound).

/** At most this long a deferred task waits for an idle moment (a page kept busy still gets it). */
const IDLE_TIMEOUT_MS = 1000;

/**
 * Calls `task` once the page is idle: after the rendering and the input the current task leads to, so that
 * whatever those ask of the engine is asked first. Without `requestIdleCallback` (Safari), on the next task.
 */
export function whenIdle(task: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(task, { timeout: IDLE_TIMEOUT_MS });
  else setTimeout(task, 0);
}

// Progress notifications: what every long task that ends with a summary shares.

/** VS Code keeps a progress notification on screen for at least this long after it appears (its ProgressService). */
const SHOWN_AT_LEAST_MS = 800;
/** Room for the message that ends the progress to reach the window before the summary's does. */
const MARGIN_MS = 150;

/**
 * Resolves once a progress notification started at `startedAt` (performance.now()), whose task has
 * ended, is off the screen. A summary shown the moment a short task ends would otherwise stand beside
 * the progress still counting "1 of 3" (its last report is throttled away when the task ends).
 */
export function progressNotificationGone(startedAt: number): Promise<void> {
  const left = startedAt + SHOWN_AT_LEAST_MS + MARGIN_MS - performance.now();
  return left > 0 ? new Promise((done) => setTimeout(done, left)) : Promise.resolve();
}

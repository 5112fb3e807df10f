// Exponential backoff with full jitter (AWS architecture blog), capped, and never sooner than Retry-After.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 5 * 60 * 1000 };

/** Delay before retry number `attempt` (1 = the first retry): random(0, min(cap, base * 2^(attempt-1))). */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
  retryAfterMs: number | null = null,
): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(random() * exp);
  return retryAfterMs !== null ? Math.max(jittered, retryAfterMs) : jittered;
}

// Reconnect delays: 0.5 s doubling up to 30 s, with ±20 % jitter (never above the cap),
// so many browsers restarting at once do not retry in step.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Fraction of the delay added or taken away at random, 0–1. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, jitter: 0.2 };

/** Delay before reconnect attempt number `failures` (1 after the first failure, …). */
export function backoffDelay(
  failures: number,
  random: () => number = Math.random,
  options: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const base = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  const factor = 1 + options.jitter * (2 * random() - 1);
  return Math.round(Math.min(options.maxMs, Math.max(1, base * factor)));
}

import type { Clock, ProviderFailure } from './types.ts';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; error: ProviderFailure; retry: boolean };

/**
 * Runs `task` until it succeeds, fails for good, or the tries run out, waiting
 * base·2^n (capped, with full jitter) between tries. On top of whatever the SDK
 * itself retries; a journaled remote job is never resubmitted by this loop.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  clock: Clock,
  random: () => number,
  signal: AbortSignal,
  task: (attempt: number) => Promise<Attempt<T>>,
): Promise<{ ok: true; value: T } | { ok: false; error: ProviderFailure }> {
  let last: ProviderFailure = { kind: 'transient', message: 'no attempt was made' };
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (signal.aborted) return { ok: false, error: { kind: 'aborted', message: 'interrupted' } };
    const result = await task(attempt);
    if (result.ok) return result;
    if (!result.retry) return { ok: false, error: result.error };
    last = result.error;
    if (attempt === policy.attempts) break;
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    try {
      await clock.sleep(Math.round(ceiling * (0.5 + random() / 2)), signal);
    } catch {
      return { ok: false, error: { kind: 'aborted', message: 'interrupted' } };
    }
  }
  return { ok: false, error: { ...last, message: `${last.message} (gave up after ${policy.attempts} tries)` } };
}

/** Network-level failures worth another try: resets, refused connections, timeouts. */
export function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause = (error as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? `${cause.message} ${(cause as { code?: string }).code ?? ''}` : '';
  const text = `${error.name} ${error.message} ${causeText}`;
  return /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR|socket hang up|fetch failed|network|terminated|other side closed/i.test(text);
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Removes a secret from text that may reach a person (errors, logs). */
export function redact(text: string, secret: string): string {
  return secret.length < 4 ? text : text.split(secret).join('***');
}

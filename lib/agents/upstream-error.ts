import { retryAfterMs } from '../platform/retry-after.js';
import {
  UPSTREAM_BROKE_OFF,
  UPSTREAM_CREDENTIALS_REJECTED,
  UPSTREAM_FAILED,
  UPSTREAM_RATE_LIMITED,
  UPSTREAM_REQUEST_REJECTED,
  UPSTREAM_TIMED_OUT,
  UPSTREAM_UNREACHABLE,
} from './agents.messages.js';

/** How an LLM provider failure is told to the client: a RUN_ERROR code and a message with no secrets. */
export interface UpstreamFailure {
  code: string;
  message: string;
  /** 429, 5xx, timeouts and refused connections may succeed on a new attempt. */
  retryable: boolean;
  /** From a `Retry-After` header, when the provider sent one. */
  retryAfterMs?: number;
}

export interface RetryPolicy {
  /** Attempts after the first, made only before anything was streamed. Default 2. */
  retries: number;
  /** First backoff; doubled on each attempt, with jitter. Default 500 ms. */
  initialDelayMs: number;
  /** Longest wait, also for `Retry-After`. Default 8000 ms. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 2, initialDelayMs: 500, maxDelayMs: 8000 };

/**
 * Classifies what the `openai`, `@anthropic-ai/sdk` and `@google/genai` clients throw (errors with
 * a `status`, and `headers` for the first two; connection and timeout errors, which `@google/genai`
 * leaves as fetch's `TypeError` with the system error as its cause). The provider's own message
 * and body stay in the server log: they can echo keys, prompts or internal URLs.
 */
export function classifyUpstreamError(error: unknown, provider: string): UpstreamFailure {
  const { status, name, headers } = error as { status?: unknown; name?: unknown; headers?: unknown };
  if (typeof status === 'number') {
    if (status === 401 || status === 403) {
      return { code: 'UPSTREAM_AUTH', retryable: false, message: UPSTREAM_CREDENTIALS_REJECTED(provider, status) };
    }
    if (status === 429) {
      return {
        code: 'RATE_LIMITED',
        retryable: true,
        retryAfterMs: retryAfterMs(headers),
        message: UPSTREAM_RATE_LIMITED(provider),
      };
    }
    if (status >= 500)
      return {
        code: 'UPSTREAM_ERROR',
        retryable: true,
        retryAfterMs: retryAfterMs(headers),
        message: UPSTREAM_FAILED(provider, status),
      };
    return { code: 'UPSTREAM_BAD_REQUEST', retryable: false, message: UPSTREAM_REQUEST_REJECTED(provider, status) };
  }
  if (typeof name === 'string' && /timeout/i.test(name)) {
    return { code: 'UPSTREAM_TIMEOUT', retryable: true, message: UPSTREAM_TIMED_OUT(provider) };
  }
  if (name === 'IncompleteStreamError') {
    return { code: 'STREAM_INTERRUPTED', retryable: true, message: UPSTREAM_BROKE_OFF(provider) };
  }
  if (typeof name === 'string' && /connection/i.test(name)) {
    return { code: 'UPSTREAM_UNREACHABLE', retryable: true, message: UPSTREAM_UNREACHABLE(provider) };
  }
  const cause = systemErrorCode(error);
  if (cause && TIMEOUT_CODES.has(cause)) return { code: 'UPSTREAM_TIMEOUT', retryable: true, message: UPSTREAM_TIMED_OUT(provider) };
  if (cause && UNREACHABLE_CODES.has(cause)) {
    return { code: 'UPSTREAM_UNREACHABLE', retryable: true, message: UPSTREAM_UNREACHABLE(provider) };
  }
  // The connection dropped: retried only if nothing was streamed yet, as ever.
  if (cause && DROPPED_CODES.has(cause)) return { code: 'STREAM_INTERRUPTED', retryable: true, message: UPSTREAM_BROKE_OFF(provider) };
  return { code: 'STREAM_INTERRUPTED', retryable: false, message: UPSTREAM_BROKE_OFF(provider) };
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** The `code` of the system error behind a failed fetch (`TypeError: fetch failed`, cause upon cause). */
function systemErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; current = (current as { cause?: unknown }).cause, depth++) {
    const { code } = current as { code?: unknown };
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Exponential backoff with jitter, or the provider's `Retry-After`, capped. */
export function retryDelay(policy: RetryPolicy, attempt: number, failure: UpstreamFailure): number {
  const backoff = policy.initialDelayMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
  return Math.min(failure.retryAfterMs ?? backoff, policy.maxDelayMs);
}

/** Waits, unless the run is stopped first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

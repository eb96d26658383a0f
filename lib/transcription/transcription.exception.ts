import { HttpException } from '@nestjs/common';
import { retryAfterMs } from '../platform/retry-after.js';
import { shareClassIdentity } from '../platform/shared-class-identity.js';

/** The `error` codes of `/transcribe`, as the CopilotKit client reads them. */
export type TranscriptionErrorCode =
  | 'service_not_configured'
  | 'invalid_request'
  | 'invalid_audio_format'
  | 'audio_too_short'
  | 'audio_too_long'
  | 'audio_too_large'
  | 'rate_limited'
  | 'auth_failed'
  | 'provider_error'
  | 'network_error';

/** The JSON body of a failed `/transcribe`. */
export interface TranscriptionErrorBody {
  error: TranscriptionErrorCode;
  message: string;
  retryable: boolean;
}

const CODES: Record<TranscriptionErrorCode, { status: number; retryable: boolean; message: string }> = {
  service_not_configured: { status: 503, retryable: false, message: 'Transcription service is not configured' },
  invalid_request: { status: 400, retryable: false, message: 'The transcription request is invalid.' },
  invalid_audio_format: { status: 400, retryable: false, message: 'The audio format is not supported.' },
  audio_too_short: { status: 400, retryable: false, message: 'The audio is empty or too short.' },
  audio_too_long: { status: 400, retryable: false, message: 'The audio is too long.' },
  audio_too_large: { status: 413, retryable: false, message: 'The audio file is too large.' },
  rate_limited: { status: 429, retryable: true, message: 'The transcription provider is rate limiting requests; try again later.' },
  auth_failed: { status: 401, retryable: false, message: "The transcription provider refused the server's credentials." },
  // 502: the provider failed, not this server.
  provider_error: { status: 502, retryable: true, message: 'The transcription provider failed.' },
  network_error: { status: 502, retryable: true, message: 'The transcription provider could not be reached.' },
};

const ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(CODES));

/**
 * A `/transcribe` failure: answered with the status of its code and the body
 * `{ error: code, message, retryable }`. Being an `HttpException`, exception filters see it as any other.
 */
export class TranscriptionException extends HttpException {
  static {
    shareClassIdentity(this, 'TranscriptionException');
  }

  override readonly name: string = 'TranscriptionException';
  readonly retryable: boolean;
  /** For `rate_limited`, when the provider said: sent as `Retry-After`. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: TranscriptionErrorCode,
    message: string = CODES[code].message,
    options: { cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    const { status, retryable } = CODES[code];
    super({ error: code, message, retryable } satisfies TranscriptionErrorBody, status, { cause: options.cause });
    this.retryable = retryable;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /**
   * Classifies what a provider call threw: by its HTTP `status` (429 rate_limited, 401/403
   * auth_failed, 413 audio_too_large, other 4xx by the provider's error code, 5xx provider_error),
   * connection failures as network_error. Only the client's own mistakes (4xx but auth and rate
   * limits) keep the provider's message; the rest get a fixed one, so nothing about the server's
   * credentials or infrastructure reaches the client.
   */
  static from(error: unknown): TranscriptionException {
    if (error instanceof TranscriptionException) return error;
    const { status, code, message, name, headers, cause } = (error ?? {}) as {
      status?: unknown;
      code?: unknown;
      message?: unknown;
      name?: unknown;
      headers?: unknown;
      cause?: unknown;
    };
    const text = typeof message === 'string' ? message : '';
    if (typeof status === 'number' && status >= 400 && status < 600) {
      if (status === 429)
        return new TranscriptionException('rate_limited', undefined, { cause: error, retryAfterSeconds: secondsOf(retryAfterMs(headers)) });
      if (status === 401 || status === 403) return new TranscriptionException('auth_failed', undefined, { cause: error });
      if (status === 413) return new TranscriptionException('audio_too_large', undefined, { cause: error });
      if (status === 408) return new TranscriptionException('network_error', undefined, { cause: error });
      if (status >= 500) return new TranscriptionException('provider_error', undefined, { cause: error });
      if (status === 400 || status === 415 || status === 422) {
        if (typeof code === 'string' && ERROR_CODES.has(code) && CODES[code as TranscriptionErrorCode].status === 400) {
          return new TranscriptionException(code as TranscriptionErrorCode, text || undefined, { cause: error });
        }
        // Providers say which with words only; the status already says it is the audio.
        if (/too short/i.test(text)) return new TranscriptionException('audio_too_short', text, { cause: error });
        if (/too long|longer than|duration/i.test(text)) return new TranscriptionException('audio_too_long', text, { cause: error });
        return new TranscriptionException('invalid_audio_format', text || undefined, { cause: error });
      }
      // 404 (unknown model) and the like: the server's configuration, not the client's request.
      return new TranscriptionException('provider_error', undefined, { cause: error });
    }
    if (isNetworkFailure(name, code, cause) || isNetworkFailure((error as object | null)?.constructor?.name, undefined, undefined))
      return new TranscriptionException('network_error', undefined, { cause: error });
    return new TranscriptionException('provider_error', undefined, { cause: error });
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

function isNetworkFailure(name: unknown, code: unknown, cause: unknown, depth = 0): boolean {
  // The OpenAI and Anthropic SDKs: APIConnectionError, APIConnectionTimeoutError (by class name; `name` is 'Error').
  if (typeof name === 'string' && /Connection|Timeout/.test(name)) return true;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (cause && typeof cause === 'object' && depth < 3) {
    const inner = cause as { name?: unknown; code?: unknown; cause?: unknown };
    return isNetworkFailure(inner.name, inner.code, inner.cause, depth + 1);
  }
  return false;
}

function secondsOf(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}

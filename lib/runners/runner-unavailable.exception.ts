import { ServiceUnavailableException } from '@nestjs/common';
import { shareClassIdentity } from '../platform/shared-class-identity.js';

/**
 * A 503 the client can retry: what the runner depends on (its thread store, Redis) does not answer
 * at the moment. `retryAfterSeconds` goes out as the `Retry-After` header (see RunnerUnavailableFilter).
 */
export class RunnerUnavailableException extends ServiceUnavailableException {
  static {
    shareClassIdentity(this, 'RunnerUnavailableException');
  }

  constructor(
    message: string,
    readonly retryAfterSeconds = 2,
    cause?: unknown,
  ) {
    super({ statusCode: 503, error: 'Service Unavailable', message }, { cause });
  }
}

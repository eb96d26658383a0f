import { ConflictException } from '@nestjs/common';
import { shareClassIdentity } from '../platform/shared-class-identity.js';
import { RUN_ID_TAKEN } from './errors.messages.js';

/**
 * A run id names one run of a thread: a second run with the same id would make its events and
 * their SSE ids ambiguous (409, before any stream). Clients make a fresh id per run.
 */
export class RunIdTakenException extends ConflictException {
  static {
    shareClassIdentity(this, 'RunIdTakenException');
  }

  constructor(
    readonly threadId: string,
    readonly runId: string,
  ) {
    super({
      statusCode: 409,
      error: 'Run id already used',
      message: RUN_ID_TAKEN(threadId, runId),
    });
  }
}

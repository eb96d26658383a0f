import { ConflictException } from '@nestjs/common';
import { shareClassIdentity } from '../platform/shared-class-identity.js';
import { THREAD_BUSY } from './errors.messages.js';

/**
 * A run was requested on a thread that already has one in flight (409, before any stream).
 * The official runtime answers an empty 200 stream here, which clients cannot tell from success.
 */
export class ThreadBusyException extends ConflictException {
  static {
    shareClassIdentity(this, 'ThreadBusyException');
  }

  constructor(readonly threadId: string) {
    super({
      statusCode: 409,
      error: 'Thread already running',
      message: THREAD_BUSY(threadId),
    });
  }
}

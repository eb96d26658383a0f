import { NotFoundException } from '@nestjs/common';
import { shareClassIdentity } from '../platform/shared-class-identity.js';
import { THREAD_NOT_FOUND } from './errors.messages.js';

/**
 * The thread does not exist for this caller: it is someone else's (answered exactly like a thread
 * that does not exist, so ids cannot be probed) or it is gone.
 */
export class ThreadNotFoundException extends NotFoundException {
  static {
    shareClassIdentity(this, 'ThreadNotFoundException');
  }

  constructor(readonly threadId: string) {
    super({ statusCode: 404, error: 'Thread not found', message: THREAD_NOT_FOUND(threadId) });
  }
}

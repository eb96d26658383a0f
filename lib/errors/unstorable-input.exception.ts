import { InvalidRequestException } from './invalid-request.exception.js';
import { shareClassIdentity } from '../platform/shared-class-identity.js';
import { INPUT_NOT_STORABLE } from './errors.messages.js';

/**
 * The thread store refused a value the request carried (too long for an index, a character its
 * text type cannot hold): a 400, because the same request can never succeed, where an outage is a
 * 503 the client retries. The store's own error stays in the log and in `cause`.
 */
export class UnstorableInputException extends InvalidRequestException {
  static {
    shareClassIdentity(this, 'UnstorableInputException');
  }

  constructor(cause?: unknown) {
    super(INPUT_NOT_STORABLE, { cause });
  }
}

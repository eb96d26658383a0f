import { HttpException, HttpStatus } from '@nestjs/common';
import { shareClassIdentity } from '../platform/shared-class-identity.js';

export type InvalidResumeCode = 'UNKNOWN_INTERRUPT' | 'PARTIAL_RESUME' | 'NOTHING_PENDING' | 'INTERRUPT_EXPIRED';

const STATUS: Record<InvalidResumeCode, number> = {
  UNKNOWN_INTERRUPT: HttpStatus.BAD_REQUEST,
  PARTIAL_RESUME: HttpStatus.BAD_REQUEST,
  NOTHING_PENDING: HttpStatus.CONFLICT,
  INTERRUPT_EXPIRED: HttpStatus.GONE,
};

/**
 * A run's `resume` does not answer the thread's pending interrupts: refused before anything runs,
 * so a replayed or forged resume can never run an action twice or without its approval.
 */
export class InvalidResumeException extends HttpException {
  static {
    shareClassIdentity(this, 'InvalidResumeException');
  }

  constructor(
    readonly code: InvalidResumeCode,
    message: string,
  ) {
    super({ statusCode: STATUS[code], error: 'Invalid resume', code, message }, STATUS[code]);
  }
}

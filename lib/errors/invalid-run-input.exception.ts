import { BadRequestException } from '@nestjs/common';
import { shareClassIdentity } from '../platform/shared-class-identity.js';
import { INVALID_INPUT } from './errors.messages.js';

export interface InvalidFieldDetail {
  /** Dotted path of the offending field, e.g. `messages[0].role`; empty for the body itself. */
  field: string;
  message: string;
}

/** The request body is not a valid RunAgentInput (400, before any stream). Names the fields. */
export class InvalidRunInputException extends BadRequestException {
  static {
    shareClassIdentity(this, 'InvalidRunInputException');
  }

  constructor(readonly details: InvalidFieldDetail[]) {
    const first = details[0];
    const summary = first ? (first.field ? `${first.field}: ${first.message}` : first.message) : INVALID_INPUT;
    super({ statusCode: 400, error: 'Invalid request body', message: summary, details });
  }
}

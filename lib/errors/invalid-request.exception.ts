import { BadRequestException } from '@nestjs/common';

/**
 * The 400 of a request the runtime cannot take as it is (a bad id, query value, name or limit), in
 * the one JSON shape every such answer has: `{ statusCode: 400, error: 'Invalid request', message }`.
 */
export class InvalidRequestException extends BadRequestException {
  constructor(message: string, options?: { cause?: unknown }) {
    super({ statusCode: 400, error: 'Invalid request', message }, options);
  }
}

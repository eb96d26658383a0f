import { PAYLOAD_TOO_LARGE } from './http.messages.js';

/**
 * The 413 of the CopilotKit routes, the same on Express and Fastify. A body somewhat past the limit
 * is read to its end and discarded before the answer, so the client (still sending) gets to read
 * it; one far past the limit, more than `DRAIN_LIMIT_FACTOR` times, is refused at once and the
 * connection closed.
 */
export const DRAIN_LIMIT_FACTOR = 4;

export function payloadTooLargeBody(limitBytes: number): { statusCode: 413; error: string; message: string } {
  return { statusCode: 413, error: 'Payload Too Large', message: PAYLOAD_TOO_LARGE(limitBytes) };
}

/**
 * The 413 of the CopilotKit routes, the same on Express and Fastify. A body somewhat past the limit
 * is read to its end and discarded before the answer, so the client (still sending) gets to read
 * it; one far past the limit, more than `DRAIN_LIMIT_FACTOR` times, is refused at once and the
 * connection closed.
 */
export const DRAIN_LIMIT_FACTOR = 4;

export function payloadTooLargeBody(limitBytes: number): { statusCode: 413; error: string; message: string } {
  return { statusCode: 413, error: 'Payload Too Large', message: `The request body is larger than the limit of ${limitBytes} bytes.` };
}

/** `'10mb'`, `'512kb'` or a number of bytes. */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(value.trim());
  if (!match) return undefined;
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(match[2] ?? 'b').toLowerCase() as 'b'];
  return Math.floor(Number(match[1]) * unit);
}

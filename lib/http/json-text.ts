import { removeProtoKeys } from '../runtime/run-input.parser.js';
import { BODY_NOT_JSON } from './http.messages.js';

/** The 400 for a body that is not JSON, the same on Express and Fastify. */
export const BODY_NOT_JSON_ANSWER = { statusCode: 400, error: 'Bad Request', message: BODY_NOT_JSON } as const;

/**
 * A CopilotKit route's JSON body, read the same way on every platform: an empty body is `{}` (the
 * client posts `/stop` with none), and `__proto__` keys are removed at any depth (see
 * `removeProtoKeys`). Fastify's own parser would refuse them with a 400 where Express's keeps them;
 * removing them is what both can agree on without failing a client that sends one by accident.
 * `undefined` when the text is not JSON.
 */
export function parseJsonBody(text: string): { body: unknown } | undefined {
  if (text.length === 0) return { body: {} };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  removeProtoKeys(body);
  return { body };
}

import type { RunAgentInput } from '@ag-ui/core';
import { RunAgentInputSchema } from '@ag-ui/core/schemas';
import { InvalidRunInputException, type InvalidFieldDetail } from '../errors/invalid-run-input.exception.js';
import { formatFieldPath } from '../errors/field-path.js';
import { idProblem } from '../runners/thread-id.js';
import { BODY_NOT_AN_OBJECT, BODY_TOO_DEEP } from './runtime.messages.js';

/**
 * Validates a request body as an AG-UI RunAgentInput with the protocol's own 1.0 schema (unknown
 * top-level fields such as `protocolVersion` or `lastSeenEventId` are kept), after upgrading the
 * legacy `binary` content parts that 0.0.x clients still send. Throws a 400 that names the field.
 */
export function parseRunAgentInput(body: unknown): RunAgentInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRunInputException([{ field: '', message: BODY_NOT_AN_OBJECT }]);
  }
  // `state` and `forwardedProps` are free-form and travel back out on RUN_STARTED: a body nested
  // thousands deep would overflow the stack when it is serialised, mid-stream.
  if (nestedDeeperThan(body, MAX_DEPTH)) {
    throw new InvalidRunInputException([{ field: '', message: BODY_TOO_DEEP(MAX_DEPTH) }]);
  }
  const result = RunAgentInputSchema.safeParse(upgradeLegacyParts(body as Record<string, unknown>));
  if (result.success) {
    const input = result.data as RunAgentInput;
    const idDetails = (['threadId', 'runId'] as const).flatMap((field): InvalidFieldDetail[] => {
      const problem = idProblem(input[field]);
      return problem ? [{ field, message: problem }] : [];
    });
    if (idDetails.length > 0) throw new InvalidRunInputException(idDetails);
    return input;
  }
  const details: InvalidFieldDetail[] = result.error.issues.slice(0, 5).map((issue) => ({
    field: formatFieldPath(issue.path),
    message: issue.message,
  }));
  throw new InvalidRunInputException(details);
}

/**
 * The `connect` body's thread id, when it is a string, must be one a store holds (a missing one is
 * the runtime's own 400). Throws the run body's 400, naming `threadId`.
 */
export function checkConnectThreadId(body: unknown): void {
  const threadId = (body as { threadId?: unknown } | null | undefined)?.threadId;
  const problem = typeof threadId === 'string' ? idProblem(threadId) : undefined;
  if (problem) throw new InvalidRunInputException([{ field: 'threadId', message: problem }]);
}

/**
 * Deletes every own `__proto__` key of a parsed JSON value, at any depth. `JSON.parse` makes such
 * a key an ordinary own property, but the first copy by assignment (`Object.assign`, a naive deep
 * merge, a schema library building its output) turns the client's object into the prototype of the
 * copy. `constructor` and `prototype` keys are kept: on parsed JSON they are plain data, which no
 * assignment gives a meaning, and tool schemas may well name a property so. Iterative, so a deeply
 * nested body cannot overflow the stack.
 */
export function removeProtoKeys(root: unknown): void {
  nestedDeeperThan(root, Infinity);
}

const MAX_DEPTH = 100;

/**
 * Iterative, so the check itself cannot overflow the stack. Removes `__proto__` keys on the way
 * (see `removeProtoKeys`, the same walk without a limit), for bodies that did not come through the
 * HTTP routes' JSON reader.
 */
function nestedDeeperThan(root: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (depth > limit) return true;
    if (typeof value !== 'object' || value === null) continue;
    if (Object.hasOwn(value, '__proto__')) delete (value as Record<string, unknown>)['__proto__'];
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** `{type: "binary", mimeType, data|url}` (0.0.x) becomes the 1.0 image/audio/video/document part. */
function upgradeLegacyParts(body: Record<string, unknown>): Record<string, unknown> {
  const messages = body.messages;
  if (!Array.isArray(messages) || !messages.some(hasLegacyPart)) return body;
  return {
    ...body,
    messages: messages.map((message) => (hasLegacyPart(message) ? { ...message, content: message.content.map(upgradePart) } : message)),
  };
}

function hasLegacyPart(message: unknown): message is { content: unknown[] } {
  const content = (message as { content?: unknown } | null)?.content;
  return Array.isArray(content) && content.some((part) => (part as { type?: unknown } | null)?.type === 'binary');
}

function upgradePart(part: unknown): unknown {
  const legacy = part as { type?: string; mimeType?: string; data?: string; url?: string };
  if (legacy?.type !== 'binary' || typeof legacy.mimeType !== 'string') return part;
  const source =
    typeof legacy.data === 'string'
      ? { type: 'data', value: legacy.data, mimeType: legacy.mimeType }
      : typeof legacy.url === 'string'
        ? { type: 'url', value: legacy.url, mimeType: legacy.mimeType }
        : undefined;
  if (!source) return part;
  const family = legacy.mimeType.split('/')[0];
  const type = family === 'image' || family === 'audio' || family === 'video' ? family : 'document';
  return { type, source };
}

import { RequestMethod, Sse, type Type } from '@nestjs/common';

/** The `@Sse()` routes of the CopilotKit controller, by handler name. */
export const STREAM_ROUTES = {
  run: 'agent/:agentId/run',
  suggest: 'agent/:agentId/suggest',
  connect: 'agent/:agentId/connect',
} as const;

export const COPILOTKIT_STREAM_LIMITS = Symbol.for('nestjs-copilotkit:stream-limits');

/**
 * Gives a runtime's stream routes its `maxBufferedBytes` as their `@Sse()` `maxPendingDataLength`:
 * the events that may wait for a client that stopped reading before Nest drops it. That limit is an
 * option of the decorator, read when Nest registers the route, while `forRootAsync` options exist
 * only once providers are built; so a provider re-applies `@Sse()` with it (Nest builds providers
 * before it registers routes).
 */
export function applyStreamLimits(controller: Type<unknown>, maxPendingDataLength: number): true {
  for (const [handler, path] of Object.entries(STREAM_ROUTES)) {
    const descriptor = Object.getOwnPropertyDescriptor(controller.prototype, handler);
    if (descriptor) Sse(path, { method: RequestMethod.POST, maxPendingDataLength })(controller.prototype, handler, descriptor);
  }
  return true;
}

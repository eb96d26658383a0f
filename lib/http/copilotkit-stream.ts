import { SetMetadata, type ExecutionContext } from '@nestjs/common';

const COPILOTKIT_STREAM = Symbol.for('nestjs-copilotkit:stream');

export type CopilotKitStreamRoute = 'agent/run' | 'agent/connect' | 'agent/suggest';

/** Marks a route whose answer is an AG-UI event stream, and which one. */
export const CopilotKitStream = (route: CopilotKitStreamRoute): MethodDecorator => SetMetadata(COPILOTKIT_STREAM, route);

/** Which stream a route handler serves, if it serves one. */
export function copilotKitStreamOf(handler: Function): CopilotKitStreamRoute | undefined {
  return Reflect.getMetadata(COPILOTKIT_STREAM, handler) as CopilotKitStreamRoute | undefined;
}

/**
 * Whether `context` is a CopilotKit event stream (a run, a connect or a suggestion), for a host app's interceptor
 * that must leave it alone: one that wraps every response in an envelope, or one that times
 * responses out. Each value such a route emits is a Nest `MessageEvent` whose `data` is an AG-UI event.
 *
 * ```ts
 * intercept(context: ExecutionContext, next: CallHandler) {
 *   if (isCopilotKitStream(context)) return next.handle();
 *   return next.handle().pipe(map((data) => ({ data })));
 * }
 * ```
 */
export function isCopilotKitStream(context: ExecutionContext): boolean {
  return context.getType() === 'http' && copilotKitStreamOf(context.getHandler()) !== undefined;
}

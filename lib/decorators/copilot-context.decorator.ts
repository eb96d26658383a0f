import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { actionCallOf } from '../actions/action-call.js';
import type { ActionContext } from '../interfaces/action-context.interface.js';

/**
 * The parameter that receives the `ActionContext` of the call, or one of its properties:
 * `@CopilotContext('user') user: User`, `@CopilotContext('signal') signal: AbortSignal`.
 */
export const CopilotContext: (property?: keyof ActionContext) => ParameterDecorator = createParamDecorator(
  (property: keyof ActionContext | undefined, host: ExecutionContext) => {
    const context = actionCallOf(host)?.context;
    return property ? context?.[property] : context;
  },
);

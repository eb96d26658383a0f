import type { ActionContext } from '../interfaces/action-context.interface.js';
import { addActionParamBinding } from './action-params.util.js';

/**
 * The parameter that receives the `ActionContext` of the call, or one of its properties:
 * `@CopilotContext('user') user: User`, `@CopilotContext('signal') signal: AbortSignal`.
 */
export const CopilotContext = (property?: keyof ActionContext): ParameterDecorator => (target, propertyKey, index) =>
  addActionParamBinding(target, propertyKey, { index, kind: 'context', property });

import { COPILOT_ACTION_PARAMS_METADATA } from '../copilotkit.constants.js';

/** Where an action method wants the validated arguments and the context. */
export interface ActionParamBinding {
  index: number;
  kind: 'args' | 'context';
  /** For the context: one property of it instead of the whole object. */
  property?: string;
}

/** Records a binding on the method function itself, where `Reflector` reads method metadata. */
export function addActionParamBinding(target: object, propertyKey: string | symbol | undefined, binding: ActionParamBinding): void {
  if (propertyKey === undefined) throw new Error('Action parameter decorators only apply to method parameters.');
  const method = (target as Record<string | symbol, unknown>)[propertyKey] as object;
  const existing: ActionParamBinding[] = Reflect.getMetadata(COPILOT_ACTION_PARAMS_METADATA, method) ?? [];
  Reflect.defineMetadata(COPILOT_ACTION_PARAMS_METADATA, [...existing, binding], method);
}

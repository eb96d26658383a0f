import { addActionParamBinding } from './action-params.util.js';

/**
 * The parameter that receives the action's validated arguments. When `@CopilotAction` declares no
 * `parameters`, this parameter's class type (a class-validator DTO) describes them.
 */
export const ActionArgs = (): ParameterDecorator => (target, propertyKey, index) =>
  addActionParamBinding(target, propertyKey, { index, kind: 'args' });

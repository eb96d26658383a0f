import { Body } from '@nestjs/common';

/**
 * The parameter that receives the action's validated arguments: Nest's `@Body()`, which is what
 * they are on an action, so pipes (the app's global `ValidationPipe` too) run on it as on a route.
 * When `@CopilotAction` declares no `parameters`, this parameter's class type (a class-validator DTO)
 * describes them.
 */
export const ActionArgs = (): ParameterDecorator => Body();

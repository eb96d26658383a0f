import { SetMetadata } from '@nestjs/common';
import { COPILOT_ACTION_METADATA } from './metadata-keys.js';
import type { CopilotActionOptions } from '../interfaces/copilot-action-options.interface.js';

/**
 * Makes a provider method a backend action that agents can call. It runs on the server with
 * validated arguments, in the caller's identity, under the method's own guards.
 *
 * ```ts
 * @CopilotAction({ description: 'Create a task on the board' })
 * create(@ActionArgs() task: CreateTaskDto, @CopilotContext() ctx: ActionContext<User>) { ... }
 * ```
 */
export const CopilotAction = (options: CopilotActionOptions): MethodDecorator => SetMetadata(COPILOT_ACTION_METADATA, options ?? {});

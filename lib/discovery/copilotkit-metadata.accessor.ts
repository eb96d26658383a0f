import { Injectable, type Type } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { COPILOT_ACTION_METADATA, COPILOT_AGENT_METADATA, COPILOT_HOOKS_METADATA } from '../decorators/metadata-keys.js';
import { ACTION_ARGS_PARAMTYPE, ROUTE_ARGS_METADATA } from '../actions/action-params.factory.js';
import type { CopilotAgentOptions } from '../decorators/copilot-agent.decorator.js';
import type { CopilotHooksOptions } from '../decorators/copilot-hooks.decorator.js';
import type { CopilotActionOptions } from '../interfaces/copilot-action-options.interface.js';

type GuardRef = Type<unknown> | object;

/** Reads what the decorators wrote; the explorer never touches metadata keys itself. */
@Injectable()
export class CopilotKitMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  getActionOptions(method: Function): CopilotActionOptions | undefined {
    return this.reflector.get<CopilotActionOptions | undefined>(COPILOT_ACTION_METADATA, method);
  }

  /** The index of the parameter that takes the arguments (`@ActionArgs()` / `@Body()`), if any decorator says. */
  getArgumentsIndex(hostClass: Function, methodName: string): number | undefined {
    const params: Record<string, { index: number; data?: unknown }> | undefined = Reflect.getMetadata(
      ROUTE_ARGS_METADATA,
      hostClass,
      methodName,
    );
    const whole = Object.entries(params ?? {}).find(
      ([key, param]) => key === `${ACTION_ARGS_PARAMTYPE}:${param.index}` && param.data === undefined,
    );
    return whole?.[1].index;
  }

  /** Whether any of Nest's parameter decorators is on the method. */
  hasParamDecorators(hostClass: Function, methodName: string): boolean {
    return Reflect.getMetadata(ROUTE_ARGS_METADATA, hostClass, methodName) !== undefined;
  }

  getAgentOptions(target: Function): Pick<CopilotAgentOptions, 'name' | 'description' | 'runtime'> | undefined {
    return this.reflector.get(COPILOT_AGENT_METADATA, target);
  }

  /** The options of `@CopilotHooks()`, or undefined for a class without it. */
  getHooksOptions(target: Function): CopilotHooksOptions | undefined {
    return this.reflector.get<CopilotHooksOptions | undefined>(COPILOT_HOOKS_METADATA, target);
  }

  /** `@UseGuards()` on the class, then on the method: the order Nest applies them in. */
  getGuards(target: Function, method: Function): GuardRef[] {
    return [
      ...(this.reflector.get<GuardRef[] | undefined>(GUARDS_METADATA, target) ?? []),
      ...(this.reflector.get<GuardRef[] | undefined>(GUARDS_METADATA, method) ?? []),
    ];
  }

  /** The declared type of a parameter, from TypeScript's emitted metadata. */
  getParamType(prototype: object, methodName: string, index: number): unknown {
    const types: unknown[] | undefined = Reflect.getMetadata('design:paramtypes', prototype, methodName);
    return types?.[index];
  }
}

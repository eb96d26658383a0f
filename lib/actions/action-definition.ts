import type { CanActivate, Type } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import type { ActionSchema } from './schema/action-schema.js';
import type { ActionApprovalOptions } from '../interfaces/copilot-action-options.interface.js';

export type ProviderWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/** Everything known about one `@CopilotAction` method after discovery. */
export interface ActionDefinition {
  name: string;
  description: string;
  /** Agent ids allowed to use it; undefined: every agent. */
  agents: string[] | undefined;
  schema: ActionSchema;
  /** `TasksService.create`: used in every message about the action. */
  location: string;
  hostClass: Type<unknown>;
  methodName: string;
  /** The method function, where its metadata lives (guards read roles from it). */
  handler: Function;
  guards: Array<Type<CanActivate> | CanActivate>;
  /** The provider, to reach the instance (per request when it is not a singleton). */
  wrapper: ProviderWrapper;
  /** Set when a user must approve each call. */
  approval: ActionApprovalOptions | undefined;
}

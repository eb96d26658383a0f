import type { CanActivate, Type } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import type { ActionSchema } from './schema/action-schema.js';
import type { ActionApprovalOptions } from '../interfaces/copilot-action-options.interface.js';

export type ProviderWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/**
 * Everything known about one action: a `@CopilotAction` method after discovery, or a plain
 * action object given to `forRoot({ actions })`.
 */
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
  /**
   * The provider, to reach the instance (per request when it is not a singleton). Absent for a
   * plain action: its `handler` is called as it is, with `hostClass` standing in for a provider.
   */
  wrapper?: ProviderWrapper;
  /** Built for one run by an `actions` factory, so nothing is kept for it once the run is over. */
  perRun?: boolean;
  /** Set when a user must approve each call. */
  approval: ActionApprovalOptions | undefined;
}

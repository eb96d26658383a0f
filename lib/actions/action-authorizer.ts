import { Injectable, Logger, type CanActivate, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { isObservable, lastValueFrom } from 'rxjs';
import type { ActionDefinition } from './action-definition.js';
import { actionExecutionContext } from './action-execution-context.js';
import { GUARD_FAILED } from './actions.messages.js';

export interface AuthorizationTarget {
  /** The run's HTTP request, as the app's HTTP guards left it (with `request.user`). */
  request?: unknown;
}

export type GuardRef = Type<CanActivate> | CanActivate;

/** What a guard's ExecutionContext says is being called. */
export interface GuardSite {
  label: string;
  hostClass: Function;
  handler: Function;
  /** The Nest module whose already-built guard instances may be reused. */
  host?: unknown;
}

/**
 * Runs an action's own `@UseGuards()` (class, then method), both to hide what the caller may not
 * use from the model and again before each call. A guard gets the action's ExecutionContext: type
 * `copilotkit`, `switchToHttp().getRequest()` the run's real request (with what the route's guards
 * put on it, `request.user`), `getClass()` / `getHandler()` the action's class and method (so
 * `Reflector` reads `@Roles()` and the like). The global guards already ran for the run request;
 * they are not run again per call. Without a request (the runtime driven from code), guarded
 * actions are refused: there is nobody to authorize.
 */
@Injectable()
export class ActionAuthorizer {
  private readonly logger = new Logger(ActionAuthorizer.name);
  private readonly created = new Map<Function, Promise<CanActivate>>();

  constructor(private readonly moduleRef: ModuleRef) {}

  isAllowed(action: ActionDefinition, target: AuthorizationTarget): Promise<boolean> {
    return this.allows(action.guards, target, {
      label: `action '${action.name}'`,
      hostClass: action.hostClass,
      handler: action.handler,
      host: action.wrapper?.host,
    });
  }

  /**
   * Runs `guards` for something that is not an action method (an MCP server of an agent): the
   * context's class and handler are `where`'s, the request the run's.
   */
  async allows(guards: GuardRef[], target: AuthorizationTarget, where: GuardSite): Promise<boolean> {
    if (guards.length === 0) return true;
    if (target.request === undefined || target.request === null) return false;
    try {
      const instances = await Promise.all(guards.map((guard) => this.instanceOf(guard, where.host)));
      const context = actionExecutionContext(target.request, undefined, where.hostClass, where.handler);
      for (const guard of instances) {
        const verdict = guard.canActivate(context);
        if (!(isObservable(verdict) ? await lastValueFrom(verdict) : await verdict)) return false;
      }
      return true;
    } catch (error) {
      // A guard that throws (ForbiddenException, UnauthorizedException) denies, as on a route.
      const status = (error as { getStatus?: () => number }).getStatus?.();
      if (status === undefined) this.logger.error(GUARD_FAILED(where.label, error), (error as Error)?.stack);
      return false;
    }
  }

  /** The guard instance Nest already built for the module, or one built with DI now. */
  private instanceOf(guard: GuardRef, module: unknown): Promise<CanActivate> {
    if (typeof guard !== 'function') return Promise.resolve(guard);
    const host = module as { injectables?: Map<unknown, { instance?: unknown; isDependencyTreeStatic(): boolean }> } | undefined;
    const registered = host?.injectables?.get(guard);
    if (registered?.instance && registered.isDependencyTreeStatic()) return Promise.resolve(registered.instance as CanActivate);
    let created = this.created.get(guard);
    if (!created) {
      created = this.moduleRef.create(guard);
      this.created.set(guard, created);
      // A guard that could not be built (a dependency that failed) is built again next time, not refused forever.
      created.catch(() => this.created.delete(guard));
    }
    return created;
  }
}

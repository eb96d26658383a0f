import { Injectable } from '@nestjs/common';
import { ApplicationConfig, ExternalContextCreator, type ContextId } from '@nestjs/core';
import type { ActionDefinition } from './action-definition.js';
import { InstanceResolver, isSingleton } from './instance-resolver.js';
import { COPILOTKIT_CONTEXT_TYPE, type ActionCall } from './action-call.js';
import { ACTION_ARGS_PARAMTYPE, ActionParamsFactory, ROUTE_ARGS_METADATA } from './action-params.factory.js';

/** An action method wrapped in Nest's pipeline: interceptors, pipes and exception filters. */
export type ActionHandler = (request: unknown, call: ActionCall) => Promise<unknown>;

const paramsFactory = new ActionParamsFactory();
/** Where `@UsePipes()` records pipes (`PIPES_METADATA` of `@nestjs/common`). */
const PIPES_METADATA = '__pipes__';

/**
 * Calls action methods the way `@nestjs/microservices` and `@nestjs/graphql` call theirs, through
 * `ExternalContextCreator`: the app's and the method's interceptors see the call, pipes (the global
 * `ValidationPipe` too) run on its parameters, and exception filters may turn an error into the
 * tool result the model reads (a filter's return value is the result). Guards are left out here:
 * the authorizer runs the action's own guards, before the call and when listing what the model may
 * use. The wrapped method is built once for a singleton provider, and per call (in the request's DI
 * context) for a request-scoped or transient one.
 */
@Injectable()
export class ActionHandlers {
  private readonly singletons = new Map<ActionDefinition, ActionHandler>();

  constructor(
    private readonly creator: ExternalContextCreator,
    private readonly instances: InstanceResolver,
    private readonly config: ApplicationConfig,
  ) {}

  /**
   * Whether a pipe will see the action's arguments: a global one, `@UsePipes()` on the class or the
   * method, or one given to `@ActionArgs()` / `@Body()`. It then gets them as the model sent them,
   * as a route's pipe gets the body, so its options (`whitelist`, `forbidNonWhitelisted`,
   * `transform`) decide; without one, the method gets them as the action's schema validated them.
   */
  argumentsGoThroughPipes(action: ActionDefinition): boolean {
    // A plain action has no parameters for a pipe to bind to: it gets what its schema validated.
    if (!action.wrapper) return false;
    const declared = (target: Function) => ((Reflect.getMetadata(PIPES_METADATA, target) as unknown[] | undefined)?.length ?? 0) > 0;
    if (this.config.getGlobalPipes().length > 0 || declared(action.hostClass) || declared(action.handler)) return true;
    const params: Record<string, { index: number; pipes?: unknown[] }> =
      Reflect.getMetadata(ROUTE_ARGS_METADATA, action.hostClass, action.methodName) ?? {};
    return Object.entries(params).some(([key, param]) => key.startsWith(`${ACTION_ARGS_PARAMTYPE}:`) && (param.pipes?.length ?? 0) > 0);
  }

  async for(action: ActionDefinition, request: unknown): Promise<ActionHandler> {
    if (!action.wrapper) {
      // A plain action: interceptors and filters still apply, and the instance only carries
      // `hostClass` to them. One built for a single run is not kept past it.
      const build = () => this.create(action, Object.create((action.hostClass as { prototype: object }).prototype) as object);
      return action.perRun ? build() : this.singleton(action, build);
    }
    if (isSingleton(action.wrapper)) return this.singleton(action, () => this.create(action, action.wrapper!.instance as object));
    const { instance, contextId } = await this.instances.resolveInContext<object>(action.wrapper, request);
    return this.create(action, instance, contextId, action.wrapper.id);
  }

  private singleton(action: ActionDefinition, build: () => ActionHandler): ActionHandler {
    let handler = this.singletons.get(action);
    if (!handler) {
      handler = build();
      this.singletons.set(action, handler);
    }
    return handler;
  }

  private create(action: ActionDefinition, instance: object, contextId?: ContextId, inquirerId?: string): ActionHandler {
    // The unbound method: Nest reads the interceptors, filters and parameters from it.
    return this.creator.create(
      instance as never,
      action.handler as (...args: unknown[]) => unknown,
      action.methodName,
      ROUTE_ARGS_METADATA,
      paramsFactory as never,
      contextId,
      inquirerId,
      { guards: false, interceptors: true, filters: true },
      COPILOTKIT_CONTEXT_TYPE,
    ) as ActionHandler;
  }
}

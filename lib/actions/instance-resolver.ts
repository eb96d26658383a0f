import { Injectable } from '@nestjs/common';
import { ContextIdFactory, ModuleRef, type ContextId } from '@nestjs/core';
import type { ProviderWrapper } from './action-definition.js';

/**
 * Gets the instance of a discovered provider for one call: the singleton when there is one, else
 * the instance of the current request's DI context (the same context the Nest router uses for that
 * request, so `@Inject(REQUEST)` and every request-scoped dependency are shared with it).
 */
@Injectable()
export class InstanceResolver {
  /** Every call of one request must land on the same request-scoped instances. */
  private readonly contexts = new WeakMap<object, ContextId>();

  constructor(private readonly moduleRef: ModuleRef) {}

  async resolve<T = object>(wrapper: ProviderWrapper, request: unknown): Promise<T> {
    if (isSingleton(wrapper)) return wrapper.instance as T;
    return (await this.resolveInContext<T>(wrapper, request)).instance;
  }

  /** The instance of the request's DI context, with that context (what Nest's context creators take). */
  async resolveInContext<T = object>(wrapper: ProviderWrapper, request: unknown): Promise<{ instance: T; contextId: ContextId }> {
    const carrier = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
    let contextId = this.contexts.get(carrier);
    if (!contextId) {
      // The router's own context when it made one for this request (a request-scoped controller).
      contextId = ContextIdFactory.getByRequest(carrier);
      this.contexts.set(carrier, contextId);
      this.moduleRef.registerRequestByContextId(carrier, contextId);
    }
    return { instance: await this.moduleRef.resolve<T>(wrapper.token as never, contextId, { strict: false }), contextId };
  }
}

/** One instance for the whole app: no request or transient scope anywhere in its dependency tree. */
export function isSingleton(wrapper: ProviderWrapper): boolean {
  return wrapper.isDependencyTreeStatic() && !wrapper.isTransient && wrapper.instance !== undefined && wrapper.instance !== null;
}

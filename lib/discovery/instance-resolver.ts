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
    if (wrapper.isDependencyTreeStatic() && !wrapper.isTransient && wrapper.instance) return wrapper.instance as T;
    const carrier = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
    let contextId = this.contexts.get(carrier);
    if (!contextId) {
      // The router's own context when it made one for this request (a request-scoped controller).
      contextId = ContextIdFactory.getByRequest(carrier);
      this.contexts.set(carrier, contextId);
      this.moduleRef.registerRequestByContextId(carrier, contextId);
    }
    return this.moduleRef.resolve<T>(wrapper.token as never, contextId, { strict: false });
  }
}

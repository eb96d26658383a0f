import { Injectable } from '@nestjs/common';
import { ContextIdFactory, ModuleRef } from '@nestjs/core';
import type { ProviderWrapper } from './action-definition.js';

/**
 * Gets the instance of a discovered provider for one call: the singleton when there is one, else
 * the instance of the current request's DI context (the same context the Nest router uses for that
 * request, so `@Inject(REQUEST)` and every request-scoped dependency are shared with it).
 */
@Injectable()
export class InstanceResolver {
  constructor(private readonly moduleRef: ModuleRef) {}

  async resolve<T = object>(wrapper: ProviderWrapper, request: unknown): Promise<T> {
    if (wrapper.isDependencyTreeStatic() && !wrapper.isTransient && wrapper.instance) return wrapper.instance as T;
    const carrier = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
    const contextId = ContextIdFactory.getByRequest(carrier);
    this.moduleRef.registerRequestByContextId(carrier, contextId);
    return this.moduleRef.resolve<T>(wrapper.token as never, contextId, { strict: false });
  }
}

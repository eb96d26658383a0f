import { RequestMapping, RequestMethod, Res, type Type } from '@nestjs/common';

/** What a controller gets from `addMethodNotAllowedRoutes`: it writes the 405. */
export interface MethodNotAllowedResponder {
  methodNotAllowed(response: unknown, allow: 'GET' | 'POST'): void;
}

const REFUSED: Record<'GET' | 'POST', RequestMethod[]> = {
  GET: [RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE],
  POST: [RequestMethod.GET, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE],
};

/**
 * Adds one handler per refused method that answers 405 with `Allow`, for routes that serve only
 * `allow`. Not `@All()`: Fastify registers `@All()` under every method, which collides with the
 * route's own GET or POST (`FST_ERR_DUPLICATED_ROUTE`) and stops the app at boot. OPTIONS is left
 * alone, so CORS preflights still reach the app's CORS handling; HEAD follows GET.
 */
export function addMethodNotAllowedRoutes(controller: Type<MethodNotAllowedResponder>, paths: string[], allow: 'GET' | 'POST'): void {
  for (const method of REFUSED[allow]) {
    const key = `refuse${RequestMethod[method]}On${allow}Routes`;
    Object.defineProperty(controller.prototype, key, {
      value(this: MethodNotAllowedResponder, response: unknown): void {
        this.methodNotAllowed(response, allow);
      },
      configurable: true,
      writable: true,
    });
    const descriptor = Object.getOwnPropertyDescriptor(controller.prototype, key)!;
    Res()(controller.prototype, key, 0);
    RequestMapping({ path: paths, method })(controller.prototype, key, descriptor);
  }
}

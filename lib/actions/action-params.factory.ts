import type { ActionCall } from './action-call.js';

/** Where Nest's parameter decorators (`@Body()`, `createParamDecorator`) record a method's parameters. */
export const ROUTE_ARGS_METADATA = '__routeArguments__';

/** Nest's `RouteParamtypes` values (`@nestjs/common` does not export the enum from its root). */
const REQUEST = 0;
const BODY = 3;
const HEADERS = 6;
/** The parameter type the action's arguments come as: `@ActionArgs()` is `@Body()`. */
export const ACTION_ARGS_PARAMTYPE = BODY;

/**
 * What Nest's built-in parameter decorators resolve to on an action method, for
 * `ExternalContextCreator`: `@Body()` (and `@ActionArgs()`, which is `@Body()`) the validated
 * arguments or one of their properties, `@Req()` the run's request, `@Headers()` its headers.
 * Pipes then run on them as on a route, the app's global `ValidationPipe` included.
 */
export class ActionParamsFactory {
  exchangeKeyForValue(type: number, data: unknown, [request, call]: [unknown, ActionCall | undefined]): unknown {
    switch (type) {
      case REQUEST:
        return request;
      case BODY: {
        const args = call?.arguments as Record<string, unknown> | undefined;
        return typeof data === 'string' && data ? args?.[data] : args;
      }
      case HEADERS: {
        const headers = (request as { headers?: Record<string, unknown> } | undefined)?.headers;
        return typeof data === 'string' && data ? headers?.[data.toLowerCase()] : headers;
      }
      default:
        return undefined;
    }
  }
}

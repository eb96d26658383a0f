import type { ExecutionContext, Type } from '@nestjs/common';
import { COPILOTKIT_CONTEXT_TYPE, type ActionCall } from './action-call.js';

/**
 * The ExecutionContext an action's guards get, the same one Nest's `ExternalContextCreator` gives
 * its interceptors and filters (Nest does not export its own class for it): type `copilotkit`,
 * arguments `[request, call]`, the action's class and method.
 */
export function actionExecutionContext(
  request: unknown,
  call: ActionCall | undefined,
  hostClass: Function,
  handler: Function,
): ExecutionContext {
  const args = [request, call];
  return {
    getClass: <T>() => hostClass as Type<T>,
    getHandler: () => handler,
    getArgs: <T extends unknown[]>() => args as T,
    getArgByIndex: <T>(index: number) => args[index] as T,
    getType: <T extends string>() => COPILOTKIT_CONTEXT_TYPE as T,
    switchToHttp: () => ({
      getRequest: <T>() => request as T,
      getResponse: <T>() => call as T,
      getNext: <T>() => undefined as T,
    }),
    switchToRpc: () => ({ getData: <T>() => call?.arguments as T, getContext: <T>() => call?.context as T }),
    switchToWs: () => ({
      getClient: <T>() => undefined as T,
      getData: <T>() => call?.arguments as T,
      getPattern: () => call?.action ?? '',
    }),
  };
}

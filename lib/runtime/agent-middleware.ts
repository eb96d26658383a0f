import { FunctionMiddleware, type AbstractAgent, type Middleware, type MiddlewareFunction } from '@ag-ui/client';
import type { BaseEvent, RunAgentInput } from '@ag-ui/core';
import { defer, Observable, type Subscribable } from 'rxjs';
import type { AgUiAgent } from '../interfaces/ag-ui-agent.interface.js';
import type { CopilotRunContext } from '../interfaces/copilot-run-context.interface.js';

/** What a middleware receives as `next`: the rest of the chain, shaped like the agent it wraps. */
interface ChainLink {
  run(input: RunAgentInput): Observable<BaseEvent>;
  readonly messages: unknown;
  readonly state: unknown;
}

/**
 * The events of one run of `agent`, through the middleware registered with `agent.use(...)`, the
 * first one outermost, as AG-UI's `runAgent()` applies them. The runtime calls `run()` itself
 * rather than `runAgent()` (which would keep messages and state on a shared agent), so without
 * this the chain would be skipped. The innermost `next` still hands the agent the run's context,
 * which agents written for this runtime need for their actions.
 */
export function runWithMiddleware(agent: AgUiAgent, input: RunAgentInput, context: CopilotRunContext): Subscribable<BaseEvent> {
  const middlewares = middlewaresOf(agent);
  if (middlewares.length === 0) return agent.run(input, context);
  const held = agent as { messages?: unknown; state?: unknown };
  const innermost: ChainLink = {
    // A middleware pipes what `next.run()` returns, so an agent's bare Subscribable becomes an Observable.
    run: (nextInput) =>
      new Observable<BaseEvent>((subscriber) => {
        const subscription = agent.run(nextInput, context).subscribe(subscriber);
        return () => subscription.unsubscribe();
      }),
    get messages() {
      return held.messages ?? input.messages;
    },
    get state() {
      return held.state ?? input.state;
    },
  };
  const chain = middlewares.reduceRight<ChainLink>(
    (next, middleware) => ({
      run: (nextInput) => middleware.run(nextInput, next as unknown as AbstractAgent),
      get messages() {
        return next.messages;
      },
      get state() {
        return next.state;
      },
    }),
    innermost,
  );
  // A middleware that throws while building its stream fails the run instead of the caller.
  return defer(() => chain.run(input));
}

/**
 * An `AbstractAgent` keeps its middleware in a field TypeScript calls private; `BuiltInAgent` keeps
 * its own under the same name, so one reader serves both. Agents without it have no chain.
 */
function middlewaresOf(agent: AgUiAgent): Middleware[] {
  const list = (agent as { middlewares?: unknown }).middlewares;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: unknown) => {
    if (typeof entry === 'function') return [new FunctionMiddleware(entry as MiddlewareFunction)];
    if (typeof (entry as Middleware | null)?.run === 'function') return [entry as Middleware];
    return [];
  });
}

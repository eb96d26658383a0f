import { Logger } from '@nestjs/common';
import { CopilotRequest } from './copilot-request.js';
import type { CopilotKitHooks, CopilotRoute } from './copilotkit-hooks.interface.js';
import { HOOK_FAILED, HOOKS_UNRESOLVED } from './hooks.messages.js';

/** Where a set of hooks comes from: the module options, or a `@CopilotHooks()` provider (resolved per request). */
export interface HooksSource {
  location: string;
  resolve(request: unknown): CopilotKitHooks | Promise<CopilotKitHooks>;
}

/** The methods a hooks object may have. */
export const HOOK_METHODS = ['beforeRequest', 'afterRequest', 'onError'] as const;

/**
 * Runs the hooks around each request, in registration order (module options first). Before-hooks
 * may refuse a request; after- and error-hooks are observers: they run once the client has its
 * answer, and whatever they throw is logged, never sent.
 */
export class RequestHooks {
  private readonly logger = new Logger(RequestHooks.name);
  private readonly sources: HooksSource[] = [];

  /** `configured`: the module options' hooks; `@CopilotHooks()` providers are added by discovery. */
  constructor(configured: readonly CopilotKitHooks[]) {
    configured.forEach((hooks, index) => this.sources.push({ location: `forRoot({ hooks })[${index}]`, resolve: () => hooks }));
  }

  add(source: HooksSource): void {
    this.sources.push(source);
  }

  /** Starts a request: runs the before-hooks, which may throw to refuse it. */
  async begin(route: CopilotRoute, request: unknown, ids: { threadId?: string; runId?: string } = {}): Promise<CopilotRequest> {
    const current = new CopilotRequest(route, request);
    Object.assign(current, ids);
    if (this.sources.length === 0) return current;
    for (const hooks of await this.resolveAll(request)) {
      try {
        await hooks.beforeRequest?.(current);
      } catch (error) {
        this.end(current, error);
        throw error;
      }
    }
    return current;
  }

  /**
   * Runs `handler` between the hooks: before-hooks may refuse; after-hooks see how it went. `body`
   * gives the ids the client sent, so that a refused or invalid run is still attributable.
   */
  async around<T>(route: CopilotRoute, request: unknown, handler: (current: CopilotRequest) => Promise<T>, body?: unknown): Promise<T> {
    const current = await this.begin(route, request, idsOf(body));
    try {
      const result = await handler(current);
      this.end(current);
      return result;
    } catch (error) {
      this.end(current, error);
      throw error;
    }
  }

  /** Ends a request once the controller has answered it (`error` when it threw instead). */
  end(current: CopilotRequest, ...failure: [] | [unknown]): void {
    if (failure.length > 0) current.failed(failure[0]);
    else current.answered();
    if (this.sources.length === 0) return;
    void this.observe(current, failure);
  }

  private async observe(current: CopilotRequest, failure: [] | [unknown]): Promise<void> {
    const all = await this.resolveAll(current.request).catch((error: unknown) => {
      this.logger.error(HOOKS_UNRESOLVED(error));
      return [] as CopilotKitHooks[];
    });
    if (failure.length > 0) {
      await this.each(all, 'onError', (hooks) => hooks.onError?.({ route: current.route, request: current.request, error: failure[0] }));
    }
    if (!all.some((hooks) => hooks.afterRequest)) return;
    const summary = await current.summary;
    await this.each(all, 'afterRequest', (hooks) => hooks.afterRequest?.(summary));
  }

  private async each(all: CopilotKitHooks[], name: string, call: (hooks: CopilotKitHooks) => unknown): Promise<void> {
    for (const [index, hooks] of all.entries()) {
      try {
        await call(hooks);
      } catch (error) {
        this.logger.error(
          HOOK_FAILED(this.sources[index]?.location ?? 'hook', name, error instanceof Error ? error.message : String(error)),
        );
      }
    }
  }

  private resolveAll(request: unknown): Promise<CopilotKitHooks[]> {
    return Promise.all(this.sources.map((source) => source.resolve(request)));
  }
}

function idsOf(body: unknown): { threadId?: string; runId?: string } {
  const { threadId, runId } = (body ?? {}) as { threadId?: unknown; runId?: unknown };
  return { ...(typeof threadId === 'string' && { threadId }), ...(typeof runId === 'string' && { runId }) };
}

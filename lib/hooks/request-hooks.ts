import { Logger } from '@nestjs/common';
import { CopilotRequest } from './copilot-request.js';
import type { CopilotKitHooks, CopilotRoute } from './copilotkit-hooks.interface.js';

/** Where a set of hooks comes from: the module options, or a `@CopilotHooks()` provider (resolved per request). */
export interface HooksSource {
  location: string;
  resolve(request: unknown): CopilotKitHooks | Promise<CopilotKitHooks>;
}

/** The methods a hooks object may have. */
export const HOOK_METHODS = ['beforeRequest', 'afterRequest', 'onError'] as const;

const logger = new Logger('CopilotKit');

/**
 * Runs the hooks around each request, in registration order (module options first). Before-hooks
 * may refuse a request; after- and error-hooks are observers: they run once the client has its
 * answer, and whatever they throw is logged, never sent.
 */
export class RequestHooks {
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

  /** Ends a request once the controller has answered it (`error` when it threw instead). */
  end(current: CopilotRequest, ...failure: [] | [unknown]): void {
    if (failure.length > 0) current.failed(failure[0]);
    else current.answered();
    if (this.sources.length === 0) return;
    void this.observe(current, failure);
  }

  private async observe(current: CopilotRequest, failure: [] | [unknown]): Promise<void> {
    const all = await this.resolveAll(current.request).catch((error: unknown) => {
      logger.error(`Could not resolve CopilotKit hooks: ${String(error)}`);
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
        logger.error(
          `${this.sources[index]?.location ?? 'hook'}.${name} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  private resolveAll(request: unknown): Promise<CopilotKitHooks[]> {
    return Promise.all(this.sources.map((source) => source.resolve(request)));
  }
}

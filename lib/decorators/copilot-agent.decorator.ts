import { SCOPE_OPTIONS_METADATA } from '@nestjs/common/constants.js';
import { applyDecorators, SetMetadata, type ScopeOptions } from '@nestjs/common';
import { COPILOT_AGENT_METADATA } from './metadata-keys.js';

export interface CopilotAgentOptions extends ScopeOptions {
  /** The agent id clients use (`/agent/:id/run`). Default: the class name. Must be URL-safe. */
  name?: string;
  /** Shown to clients by `/info`. */
  description?: string;
  /** The runtimes (forRoot `name`, else `path`) that serve it; required when the app has several. */
  runtime?: string | string[];
}

/**
 * Serves a class as an agent, beside those given to `forRoot`. The class implements the AG-UI
 * contract, `run(input, context?)`, and is an ordinary provider (no `@Injectable()` needed): its
 * constructor gets dependencies injected. A default-scoped agent is one instance shared by every
 * run, so it must keep no per-run state in fields; use `scope: Scope.REQUEST` or `Scope.TRANSIENT`
 * for an instance per request.
 */
export const CopilotAgent = (options: CopilotAgentOptions = {}): ClassDecorator => {
  const { name, description, runtime, ...scope } = options;
  return applyDecorators(
    // The metadata `@Injectable()` writes: the class becomes a provider with this scope.
    SetMetadata(SCOPE_OPTIONS_METADATA, scope),
    SetMetadata(COPILOT_AGENT_METADATA, { name, description, runtime }),
  );
};

import { SCOPE_OPTIONS_METADATA } from '@nestjs/common/constants.js';
import { applyDecorators, SetMetadata } from '@nestjs/common';
import { COPILOT_HOOKS_METADATA } from './metadata-keys.js';

/**
 * Marks a provider whose `beforeRequest` / `afterRequest` / `onError` methods (see
 * `CopilotKitHooks`) run around every CopilotKit request. It is an ordinary provider: list it in
 * a module's `providers` and inject what it needs, a repository for an audit log for instance.
 */
export const CopilotHooks = (options: CopilotHooksOptions = {}): ClassDecorator =>
  applyDecorators(SetMetadata(SCOPE_OPTIONS_METADATA, {}), SetMetadata(COPILOT_HOOKS_METADATA, { runtime: options.runtime }));

export interface CopilotHooksOptions {
  /** The runtimes (forRoot `name`, else `path`) whose requests it sees; required when the app has several. */
  runtime?: string | string[];
}

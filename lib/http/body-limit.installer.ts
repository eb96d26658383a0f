import { Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { COPILOTKIT_OPTIONS } from '../copilotkit.constants.js';
import type { ResolvedCopilotKitOptions } from '../copilotkit-options.resolver.js';
import { createJsonBodyMiddleware } from './json-body.middleware.js';

export const COPILOTKIT_MOUNT_PATH = Symbol.for('nestjs-copilotkit:mount-path');

/**
 * Gives the CopilotKit routes their body limit (`bodyLimit`, 10 MB by default). Providers are built
 * before Nest registers its own body parser, so the reader installed here runs first.
 */
@Injectable()
export class BodyLimitInstaller {
  constructor(adapterHost: HttpAdapterHost, @Inject(COPILOTKIT_OPTIONS) options: ResolvedCopilotKitOptions, @Inject(COPILOTKIT_MOUNT_PATH) path: string) {
    const adapter = adapterHost.httpAdapter;
    if (!adapter) return; // no HTTP server: the runtime is used from code
    if (adapter.getType() !== 'express') {
      new Logger('CopilotKit').warn(`bodyLimit applies on Express; on ${adapter.getType()}, set the adapter's own body limit.`);
      return;
    }
    adapter.use(createJsonBodyMiddleware(path, options.bodyLimitBytes));
  }
}

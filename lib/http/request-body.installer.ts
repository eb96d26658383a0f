import { Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { COPILOTKIT_OPTIONS } from '../config/copilotkit.constants.js';
import type { ResolvedCopilotKitOptions } from '../config/copilotkit-options.resolver.js';
import { installFastifyRoutes, type FastifyInstanceLike } from './fastify-routes.js';
import { createJsonBodyMiddleware } from './json-body.middleware.js';
import { BODY_LIMIT_NOT_APPLIED } from './http.messages.js';

export const COPILOTKIT_MOUNT_PATH = Symbol.for('nestjs-copilotkit:mount-path');

/**
 * Gives the CopilotKit routes their own request reading, whatever the app's settings: their body
 * limit (`bodyLimit`, 10 MB by default) and, on Fastify, multipart for `/transcribe`. Runs in the
 * constructor because providers are built before Nest registers its body parser and its routes.
 */
@Injectable()
export class RequestBodyInstaller {
  private readonly logger = new Logger(RequestBodyInstaller.name);

  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(COPILOTKIT_OPTIONS) options: ResolvedCopilotKitOptions,
    @Inject(COPILOTKIT_MOUNT_PATH) path: string,
  ) {
    const adapter = adapterHost.httpAdapter;
    if (!adapter) return; // no HTTP server: the runtime is used from code
    switch (adapter.getType()) {
      case 'express':
        adapter.use(createJsonBodyMiddleware(path, options.bodyLimitBytes));
        return;
      case 'fastify':
        installFastifyRoutes(adapter.getInstance<FastifyInstanceLike>(), path, options.bodyLimitBytes);
        return;
      default:
        this.logger.warn(BODY_LIMIT_NOT_APPLIED(adapter.getType()));
    }
  }
}

import { Inject, Module, Optional, type CanActivate, type DynamicModule, type Type } from '@nestjs/common';
import { DiscoveryModule, ModuleRef } from '@nestjs/core';
import { COPILOTKIT_OPTIONS, DEFAULT_COPILOTKIT_PATH } from './config/copilotkit.constants.js';
import {
  COPILOTKIT_ASYNC_OPTIONS_TYPE,
  COPILOTKIT_MODULE_OPTIONS,
  COPILOTKIT_OPTIONS_TYPE,
  CopilotKitConfigurableModule,
} from './copilotkit.module-definition.js';
import { resolveCopilotKitOptions } from './config/copilotkit-options.resolver.js';
import { CopilotKitConfigurationError } from './errors/copilotkit-configuration.error.js';
import {
  FOR_ROOT_ASYNC_WITHOUT_FACTORY,
  GUARDS_NOT_AN_ARRAY,
  INVALID_GUARD,
  INVALID_PATH,
  INVALID_RUNTIME_NAME,
  PATH_NOT_A_STRING,
} from './config/config.messages.js';
import { createCopilotKitController } from './http/copilotkit.controller.js';
import { createThreadsController } from './http/threads.controller.js';
import { COPILOTKIT_MOUNT_PATH, RequestBodyInstaller } from './http/request-body.installer.js';
import { EnvelopeStreamWriter } from './http/envelope-stream.writer.js';
import { StreamConnections } from './http/stream-connections.js';
import { StreamPreparer } from './http/stream-preparer.js';
import { PrepareStream } from './http/prepare-stream.guard.js';
import { applyStreamLimits, COPILOTKIT_STREAM_LIMITS } from './http/stream-limits.js';
import type { CopilotKitModuleExtras, CopilotKitModuleOptions, CopilotKitRunnerFactory } from './config/copilotkit-options.interface.js';
import type { AgentRunner } from './runners/agent-runner.js';
import { ActionAuthorizer } from './actions/action-authorizer.js';
import { ActionHandlers } from './actions/action-handlers.js';
import { ActionInvoker } from './actions/action-invoker.js';
import { ActionRegistry } from './actions/action-registry.js';
import { ModuleActions } from './runtime/module-actions.js';
import { CopilotKitExplorer } from './discovery/copilotkit.explorer.js';
import { RequestHooks } from './hooks/request-hooks.js';
import { CopilotKitMetadataAccessor } from './discovery/copilotkit-metadata.accessor.js';
import { InstanceResolver } from './actions/instance-resolver.js';
import { COPILOTKIT_RUNTIME_NAME, RuntimeScope } from './discovery/runtime-scope.js';
import type { ResolvedCopilotKitOptions } from './config/copilotkit-options.resolver.js';
import { AgentRegistry } from './discovery/agent-registry.js';
import { CopilotRuntime } from './runtime/copilot-runtime.service.js';
import { CopilotThreads } from './runtime/copilot-threads.service.js';
import { otherPackageCopies, registerPackageCopy, type PackageCopy } from './platform/package-copies.js';
import { TranscriptionService } from './transcription/transcription.service.js';
import { TRANSCRIPTION_SERVICE } from './transcription/transcription.token.js';

const THIS_BUILD: PackageCopy = { CopilotRuntime, CopilotThreads, TranscriptionService };
registerPackageCopy(THIS_BUILD);

/**
 * Serves a CopilotKit runtime from a Nest app.
 *
 * ```ts
 * CopilotKitModule.forRoot({ agents: { default: new HttpAgent({ url }) }, guards: [AuthGuard] })
 * ```
 */
@Module({})
export class CopilotKitModule extends CopilotKitConfigurableModule {
  static override forRoot(options: typeof COPILOTKIT_OPTIONS_TYPE = {}): DynamicModule {
    return withRuntime(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof COPILOTKIT_ASYNC_OPTIONS_TYPE): DynamicModule {
    if (!options?.useFactory && !options?.useClass && !options?.useExisting) {
      throw new CopilotKitConfigurationError(FOR_ROOT_ASYNC_WITHOUT_FACTORY);
    }
    return withRuntime(super.forRootAsync(options), options);
  }
}

function withRuntime(definition: DynamicModule, extras: CopilotKitModuleExtras): DynamicModule {
  const path = normalizePath(extras.path ?? DEFAULT_COPILOTKIT_PATH);
  const name = runtimeName(extras.name, path);
  const guards = checkGuards(extras.guards ?? []);
  const imports = definition.imports ?? [];
  const otherBuilds = otherPackageCopies(THIS_BUILD);
  const controller = createCopilotKitController(path, guards);
  const threadsController = createThreadsController(path, guards);
  return {
    ...definition,
    global: extras.isGlobal ?? false,
    imports: [DiscoveryModule, ...imports, ...(extras.imports ?? []).filter((entry) => !imports.includes(entry))],
    controllers: [threadsController, controller],
    providers: [
      ...(definition.providers ?? []),
      {
        provide: COPILOTKIT_OPTIONS,
        useFactory: (options: CopilotKitModuleOptions, moduleRef: ModuleRef) =>
          resolveCopilotKitOptions(options, (source) => buildRunner(source, moduleRef)),
        inject: [COPILOTKIT_MODULE_OPTIONS, ModuleRef],
      },
      {
        provide: COPILOTKIT_STREAM_LIMITS,
        useFactory: (options: ResolvedCopilotKitOptions) => applyStreamLimits(controller, options.maxBufferedBytes),
        inject: [COPILOTKIT_OPTIONS],
      },
      EnvelopeStreamWriter,
      StreamConnections,
      StreamPreparer,
      PrepareStream,
      {
        provide: AgentRegistry,
        useFactory: (options: ResolvedCopilotKitOptions) => new AgentRegistry(options.agents),
        inject: [COPILOTKIT_OPTIONS],
      },
      { provide: COPILOTKIT_MOUNT_PATH, useValue: path },
      { provide: COPILOTKIT_RUNTIME_NAME, useValue: name },
      RuntimeScope,
      RequestBodyInstaller,
      ActionRegistry,
      CopilotKitMetadataAccessor,
      InstanceResolver,
      CopilotKitExplorer,
      {
        provide: RequestHooks,
        useFactory: (options: ResolvedCopilotKitOptions) => new RequestHooks(options.hooks),
        inject: [COPILOTKIT_OPTIONS],
      },
      ActionAuthorizer,
      ActionHandlers,
      ActionInvoker,
      ModuleActions,
      CopilotRuntime,
      CopilotThreads,
      {
        provide: TRANSCRIPTION_SERVICE,
        useFactory: (...found: Array<TranscriptionService | undefined>) => found.find(Boolean),
        inject: [TranscriptionService, ...otherBuilds.map((build) => build.TranscriptionService)].map((token) => ({
          token,
          optional: true,
        })),
      },
      // The same services under the other build's classes, for apps that load both (see package-copies.ts).
      ...otherBuilds.flatMap((build) => [
        { provide: build.CopilotRuntime, useExisting: CopilotRuntime },
        { provide: build.CopilotThreads, useExisting: CopilotThreads },
      ]),
    ],
    exports: [
      CopilotRuntime,
      CopilotThreads,
      COPILOTKIT_OPTIONS,
      ...otherBuilds.flatMap((build) => [build.CopilotRuntime, build.CopilotThreads]),
    ],
  };
}

/**
 * Builds a runner given as a class or as `{ useFactory, inject }` like a provider of this module:
 * Nest resolves its dependencies from the module's `imports` and from global modules, and a missing
 * one fails the boot with Nest's own message naming it. It is deliberately not registered as a
 * provider: CopilotRuntime's lifecycle hooks start, drain and close whichever runner the module
 * holds, so an instance given as a value (which Nest would never call hooks on), a class and a
 * factory all get the same lifecycle, exactly once.
 */
async function buildRunner(source: Type<AgentRunner> | CopilotKitRunnerFactory, moduleRef: ModuleRef): Promise<unknown> {
  if (typeof source === 'function') return moduleRef.create(source);
  // The factory's arguments, resolved by Nest as a constructor's would be.
  class CopilotKitRunnerFactoryArguments {
    readonly values: unknown[];
    constructor(...values: unknown[]) {
      this.values = values;
    }
  }
  (source.inject ?? []).forEach((dependency, index) => {
    const entry = typeof dependency === 'object' && dependency !== null && 'token' in dependency ? dependency : { token: dependency };
    Inject(entry.token)(CopilotKitRunnerFactoryArguments, undefined, index);
    if ('optional' in entry && entry.optional) Optional()(CopilotKitRunnerFactoryArguments, undefined, index);
  });
  const { values } = await moduleRef.create(CopilotKitRunnerFactoryArguments);
  return source.useFactory(...values);
}

function normalizePath(path: unknown): string {
  if (typeof path !== 'string') throw new CopilotKitConfigurationError(PATH_NOT_A_STRING(typeof path));
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (!/^[A-Za-z0-9._~\-/]*$/.test(trimmed) || trimmed.includes('//')) {
    throw new CopilotKitConfigurationError(INVALID_PATH(path));
  }
  return trimmed;
}

function runtimeName(name: unknown, path: string): string {
  if (name === undefined) return path;
  if (typeof name !== 'string' || name.trim() === '') throw new CopilotKitConfigurationError(INVALID_RUNTIME_NAME(name));
  return name;
}

function checkGuards(guards: unknown): Array<Type<CanActivate> | CanActivate> {
  if (!Array.isArray(guards)) throw new CopilotKitConfigurationError(GUARDS_NOT_AN_ARRAY);
  guards.forEach((guard, index) => {
    const isClass = typeof guard === 'function';
    const isInstance = typeof (guard as CanActivate | null)?.canActivate === 'function';
    if (!isClass && !isInstance) {
      throw new CopilotKitConfigurationError(INVALID_GUARD(index));
    }
  });
  return guards;
}

import { Injectable, Logger, type OnModuleInit, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { resolveActionSchema } from '../actions/schema/resolve-action-schema.js';
import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import { InvalidCopilotAgentError } from '../errors/invalid-copilot-agent.error.js';
import type { AgUiAgent } from '../interfaces/ag-ui-agent.interface.js';
import type { ActionParameters } from '../interfaces/copilot-action-options.interface.js';
import { AgentRegistry } from './agent-registry.js';
import type { ActionDefinition, ProviderWrapper } from '../actions/action-definition.js';
import { ActionRegistry } from '../actions/action-registry.js';
import { CopilotKitMetadataAccessor } from './copilotkit-metadata.accessor.js';
import { InstanceResolver } from '../actions/instance-resolver.js';
import { RuntimeScope } from './runtime-scope.js';
import { checkActionDeclaration } from '../actions/action-declaration.js';
import { HOOKS_WITHOUT_METHODS, LAZY_PROVIDER_LEFT_OUT, SERVING_AGENT, UNKNOWN_ACTION_ARGUMENTS } from './discovery.messages.js';
import { ActionArgs } from '../decorators/action-args.decorator.js';
import { CopilotContext } from '../decorators/copilot-context.decorator.js';
import { HOOK_METHODS, RequestHooks } from '../hooks/request-hooks.js';
import type { CopilotKitHooks } from '../hooks/copilotkit-hooks.interface.js';

type ModuleEntry = ModulesContainer extends Map<string, infer M> ? M : never;

/**
 * Finds `@CopilotAction` methods and `@CopilotAgent` classes in every module at boot, and in
 * modules loaded lazily later (checked cheaply before each use), and registers them. Every
 * mistake it can see is reported at boot with the class and method it concerns.
 */
@Injectable()
export class CopilotKitExplorer implements OnModuleInit {
  private readonly logger = new Logger(CopilotKitExplorer.name);
  private readonly explored = new Set<ModuleEntry>();
  private readonly seenHandlers = new Set<Function>();
  private readonly seenAgentClasses = new Set<Function>();
  private readonly seenHookClasses = new Set<Function>();
  private exploring: Promise<void> | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly modules: ModulesContainer,
    private readonly accessor: CopilotKitMetadataAccessor,
    private readonly actions: ActionRegistry,
    private readonly agents: AgentRegistry,
    private readonly instances: InstanceResolver,
    private readonly hooks: RequestHooks,
    private readonly scope: RuntimeScope,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh({ strict: true });
  }

  /**
   * Explores modules added since the last call (a LazyModuleLoader adds them at any time). At boot
   * a mistake fails the boot; in a module loaded later there is no boot left to fail, so the
   * provider in error is logged and left out, and the rest keeps working.
   */
  refresh({ strict = false } = {}): Promise<void> {
    if (this.explored.size === this.modules.size) return this.exploring ?? Promise.resolve();
    const fresh = [...this.modules.values()].filter((module) => !this.explored.has(module));
    fresh.forEach((module) => this.explored.add(module));
    const previous = this.exploring ?? Promise.resolve();
    this.exploring = previous.then(() => this.explore(fresh, strict));
    return this.exploring;
  }

  private async explore(modules: ModuleEntry[], strict: boolean): Promise<void> {
    for (const wrapper of this.discovery.getProviders({}, modules)) {
      // An alias (`useExisting`) points at a provider explored under its own token.
      if (wrapper.isAlias) continue;
      const hostClass = classOf(wrapper);
      if (!hostClass) continue;
      try {
        this.registerAgent(wrapper, hostClass);
        this.registerHooks(wrapper, hostClass);
        for (const methodName of this.scanner.getAllMethodNames(hostClass.prototype)) {
          await this.registerAction(wrapper, hostClass, methodName);
        }
      } catch (error) {
        if (strict) throw error;
        this.logger.error(LAZY_PROVIDER_LEFT_OUT(hostClass.name, error instanceof Error ? error.message : String(error)));
      }
    }
  }

  private async registerAction(wrapper: ProviderWrapper, hostClass: Type<unknown>, methodName: string): Promise<void> {
    const handler = (hostClass.prototype as Record<string, unknown>)[methodName] as Function;
    const options = this.accessor.getActionOptions(handler);
    if (!options || this.seenHandlers.has(handler)) return;
    this.seenHandlers.add(handler);
    const location = `${hostClass.name}.${methodName}`;
    if (!this.scope.serves(options.runtime, `@CopilotAction on ${location}`)) return;
    const name = options.name ?? methodName;
    // Without parameter decorators, the method takes (args, context), as if written with them.
    if (!this.accessor.hasParamDecorators(hostClass, methodName)) {
      ActionArgs()(hostClass.prototype as object, methodName, 0);
      CopilotContext()(hostClass.prototype as object, methodName, 1);
    }
    const subject = `@CopilotAction on ${location}`;
    const { description, schema, approval } = await checkActionDeclaration(
      { name, description: options.description, approval: options.approval },
      subject,
      // Inferred only now, so a missing description is reported before an unknown argument type.
      () => resolveActionSchema(options.parameters ?? this.inferParameters(hostClass, methodName, handler, location), subject),
    );
    const definition: ActionDefinition = {
      name,
      description,
      agents: options.agents,
      schema,
      location,
      hostClass,
      methodName,
      handler,
      guards: this.accessor.getGuards(hostClass, handler) as ActionDefinition['guards'],
      wrapper,
      approval,
    };
    this.actions.add(definition);
  }

  /** Without `parameters`, the arguments parameter's class type (a DTO) describes them. */
  private inferParameters(hostClass: Type<unknown>, methodName: string, handler: Function, location: string): ActionParameters | undefined {
    const argsIndex = this.accessor.getArgumentsIndex(hostClass, methodName);
    if (argsIndex === undefined || handler.length <= argsIndex) return undefined;
    const type = this.accessor.getParamType(hostClass.prototype as object, methodName, argsIndex);
    if (typeof type === 'function' && ![Object, String, Number, Boolean, Array, Promise].includes(type as never)) {
      return type as ActionParameters;
    }
    throw new CopilotKitConfigurationError(UNKNOWN_ACTION_ARGUMENTS(location));
  }

  private registerAgent(wrapper: ProviderWrapper, hostClass: Type<unknown>): void {
    const options = this.accessor.getAgentOptions(hostClass);
    if (!options || this.seenAgentClasses.has(hostClass)) return;
    this.seenAgentClasses.add(hostClass);
    if (!this.scope.serves(options.runtime, `@CopilotAgent ${hostClass.name}`)) return;
    if (typeof (hostClass.prototype as Partial<AgUiAgent>).run !== 'function') throw new InvalidCopilotAgentError(hostClass);
    const id = options.name ?? hostClass.name;
    this.agents.addDiscovered(id, {
      description: options.description,
      location: hostClass.name,
      resolve: (context) => this.instances.resolve<AgUiAgent>(wrapper, context.request),
    });
    this.logger.log(SERVING_AGENT(hostClass.name, id, this.scope.name));
  }

  private registerHooks(wrapper: ProviderWrapper, hostClass: Type<unknown>): void {
    const options = this.accessor.getHooksOptions(hostClass);
    if (!options || this.seenHookClasses.has(hostClass)) return;
    this.seenHookClasses.add(hostClass);
    if (!this.scope.serves(options.runtime, `@CopilotHooks ${hostClass.name}`)) return;
    const methods = HOOK_METHODS.filter((name) => typeof (hostClass.prototype as Record<string, unknown>)[name] === 'function');
    if (methods.length === 0) {
      throw new CopilotKitConfigurationError(HOOKS_WITHOUT_METHODS(hostClass.name, HOOK_METHODS));
    }
    this.hooks.add({ location: hostClass.name, resolve: (request) => this.instances.resolve<CopilotKitHooks>(wrapper, request) });
  }
}

/** The class behind a provider: `useValue`/`useFactory` providers only reveal it through their instance. */
function classOf(wrapper: ProviderWrapper): Type<unknown> | undefined {
  const fromInstance = (wrapper.instance as object | undefined)?.constructor as Type<unknown> | undefined;
  const candidate = !wrapper.metatype || wrapper.inject ? fromInstance : (wrapper.metatype as Type<unknown>);
  return typeof candidate === 'function' && candidate !== Object ? candidate : undefined;
}

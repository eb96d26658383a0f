import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { RunAgentInput } from '@ag-ui/core';
import { RunActionCatalog, type ActionCatalog } from '../actions/action-catalog.js';
import type { ActionDefinition } from '../actions/action-definition.js';
import { ActionRegistry } from '../actions/action-registry.js';
import { ACTIONS_FACTORY_RESULT, DUPLICATE_ACTION_NAME } from '../actions/actions.messages.js';
import { buildBackendAction } from '../actions/backend-action.builder.js';
import { propertiesOf } from '../actions/forwarded-properties.js';
import { ActionSchemaCache } from '../actions/schema/action-schema-cache.js';
import { COPILOTKIT_OPTIONS } from '../config/copilotkit.constants.js';
import type { ResolvedCopilotKitOptions } from '../config/copilotkit-options.resolver.js';
import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import type { ActionsFactoryContext } from '../interfaces/backend-action.interface.js';

/**
 * The actions given to `forRoot({ actions })`: a list joins the registry when the module starts
 * (a mistake in it fails the boot); a factory is called for each run, and what it returns joins
 * the registry's actions for that run only, checked by the same rules (a mistake fails that
 * request with a 500 naming the action, before the run starts).
 */
@Injectable()
export class ModuleActions implements OnModuleInit {
  private readonly schemas = new ActionSchemaCache();

  constructor(
    @Inject(COPILOTKIT_OPTIONS) private readonly options: ResolvedCopilotKitOptions,
    private readonly registry: ActionRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    const { actions } = this.options;
    if (!Array.isArray(actions)) return;
    for (const [index, action] of actions.entries()) {
      this.registry.add(await buildBackendAction(action, { subject: `forRoot actions[${index}]` }));
    }
  }

  /** Where the run looks its actions up: the registry, plus the factory's actions when there is a factory. */
  async forRun(agentId: string, input: RunAgentInput, request: unknown): Promise<ActionCatalog> {
    const factory = this.options.actions;
    if (typeof factory !== 'function') return this.registry;
    const built = await factory(factoryContext(agentId, input, request));
    if (!Array.isArray(built)) {
      throw new CopilotKitConfigurationError(ACTIONS_FACTORY_RESULT(built === null ? 'null' : typeof built));
    }
    const own = new Map<string, ActionDefinition>();
    const definitions = await Promise.all(
      built.map((action, index) =>
        buildBackendAction(action, {
          subject: `the actions factory's action [${index}]`,
          perRun: true,
          schemaOf: (checked, subject) => this.schemas.resolve(checked.parameters, subject),
        }),
      ),
    );
    for (const definition of definitions) {
      const existing = own.get(definition.name) ?? this.registry.get(definition.name);
      if (existing) throw new CopilotKitConfigurationError(DUPLICATE_ACTION_NAME(definition.name, existing.location, definition.location));
      own.set(definition.name, definition);
    }
    return new RunActionCatalog(this.registry, own);
  }
}

function factoryContext(agentId: string, input: RunAgentInput, request: unknown): ActionsFactoryContext {
  const http = request as { user?: unknown; headers?: ActionsFactoryContext['headers']; originalUrl?: string; url?: string } | undefined;
  return {
    request,
    user: http?.user,
    headers: http?.headers ?? {},
    properties: propertiesOf(input.forwardedProps),
    // Express keeps the mounted path in originalUrl; Fastify's url is already whole.
    url: http?.originalUrl ?? http?.url,
    agentId,
    threadId: input.threadId,
  };
}

import { Injectable } from '@nestjs/common';
import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import type { JsonSchema } from '../interfaces/copilot-action-options.interface.js';
import type { ActionCatalog } from './action-catalog.js';
import type { ActionDefinition } from './action-definition.js';
import { DUPLICATE_ACTION_NAME } from './actions.messages.js';

/** An action as tooling and tests see it. */
export interface RegisteredAction {
  name: string;
  description: string;
  parameters: JsonSchema;
  agents: string[] | undefined;
  location: string;
}

/** Every `@CopilotAction` the runtime serves and every action given to its `forRoot`, by name. Names are unique. */
@Injectable()
export class ActionRegistry implements ActionCatalog {
  private readonly actions = new Map<string, ActionDefinition>();

  add(action: ActionDefinition): void {
    const existing = this.actions.get(action.name);
    if (existing) {
      throw new CopilotKitConfigurationError(DUPLICATE_ACTION_NAME(action.name, existing.location, action.location));
    }
    this.actions.set(action.name, action);
  }

  get(name: string): ActionDefinition | undefined {
    return this.actions.get(name);
  }

  /** The actions an agent may use (before per-caller authorization). */
  forAgent(agentId: string): ActionDefinition[] {
    return [...this.actions.values()].filter((action) => !action.agents || action.agents.includes(agentId));
  }

  list(): RegisteredAction[] {
    return [...this.actions.values()].map(({ name, description, schema, agents, location }) => ({
      name,
      description,
      parameters: schema.jsonSchema,
      agents,
      location,
    }));
  }
}

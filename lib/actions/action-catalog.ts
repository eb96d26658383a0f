import type { ActionDefinition } from './action-definition.js';

/** Where a run looks its actions up: the runtime's registry, or that plus one run's own actions. */
export interface ActionCatalog {
  get(name: string): ActionDefinition | undefined;
  /** The actions an agent may use (before per-caller authorization). */
  forAgent(agentId: string): ActionDefinition[];
}

/** The registry's actions and those an `actions` factory built for one run (names never clash). */
export class RunActionCatalog implements ActionCatalog {
  constructor(
    private readonly base: ActionCatalog,
    private readonly own: ReadonlyMap<string, ActionDefinition>,
  ) {}

  get(name: string): ActionDefinition | undefined {
    return this.own.get(name) ?? this.base.get(name);
  }

  forAgent(agentId: string): ActionDefinition[] {
    const own = [...this.own.values()].filter((action) => !action.agents || action.agents.includes(agentId));
    return [...this.base.forAgent(agentId), ...own];
  }
}

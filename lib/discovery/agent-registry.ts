import type { AgentFactoryContext, AgentsSource, AgUiAgent } from '../interfaces/ag-ui-agent.interface.js';
import { AgentNotFoundException } from '../errors/agent-not-found.exception.js';
import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import {
  AGENT_FROM_FACTORY_AND_DISCOVERY,
  AGENT_ID_NOT_URL_SAFE,
  AGENT_NAME_NOT_URL_SAFE,
  AGENT_WITHOUT_RUN,
  AGENTS_NOT_A_RECORD,
  DUPLICATE_AGENT_NAME,
  FOR_ROOT_AGENTS,
  INVALID_FACTORY_AGENTS,
} from './discovery.messages.js';

/** Ids go into URLs, and the CopilotKit client does not encode them on `/connect`. */
const URL_SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/;

/** An agent found by discovery (`@CopilotAgent`): a provider, resolved through DI per request. */
export interface DiscoveredAgent {
  description?: string;
  /** Class name, for messages. */
  location: string;
  resolve(context: AgentFactoryContext): Promise<AgUiAgent>;
}

/**
 * The agents this runtime serves: from `forRoot` (a fixed record or a per-request factory) and
 * from `@CopilotAgent` classes. Hands out one instance per request (a clone when the agent can
 * clone itself; discovered agents come from DI with their own scope) so runs never share state.
 */
export class AgentRegistry {
  private readonly fixed: Record<string, AgUiAgent> | undefined;
  private readonly factory: Exclude<AgentsSource, Record<string, AgUiAgent>> | undefined;
  private readonly discovered = new Map<string, DiscoveredAgent>();

  constructor(source: AgentsSource | undefined) {
    if (typeof source === 'function') {
      this.factory = source;
    } else {
      const problems = AgentRegistry.check(source ?? {});
      if (problems.length > 0) throw new CopilotKitConfigurationError(problems);
      this.fixed = { ...source };
    }
  }

  /** Registers a `@CopilotAgent`; a name taken by another agent fails the boot. */
  addDiscovered(agentId: string, agent: DiscoveredAgent): void {
    if (!URL_SAFE_ID.test(agentId)) {
      throw new CopilotKitConfigurationError(AGENT_NAME_NOT_URL_SAFE(agent.location, agentId));
    }
    const other =
      this.discovered.get(agentId)?.location ?? (this.fixed && Object.hasOwn(this.fixed, agentId) ? FOR_ROOT_AGENTS : undefined);
    if (other) {
      throw new CopilotKitConfigurationError(DUPLICATE_AGENT_NAME(agentId, agent.location, other));
    }
    this.discovered.set(agentId, agent);
  }

  /** The description a `@CopilotAgent` declared, which wins over the instance's own. */
  declaredDescription(agentId: string): string | undefined {
    return this.discovered.get(agentId)?.description;
  }

  /** The agents visible to this request, by id. */
  async list(context: AgentFactoryContext = {}): Promise<Record<string, AgUiAgent>> {
    const agents = { ...(await this.configured(context)) };
    for (const [id, agent] of this.discovered) agents[id] = await agent.resolve(context);
    return agents;
  }

  /** The registered agent (not a copy), or 404. */
  async get(agentId: string, context: AgentFactoryContext = {}): Promise<AgUiAgent> {
    const discovered = this.discovered.get(agentId);
    if (discovered) return discovered.resolve(context);
    const agents = await this.configured(context);
    if (!Object.hasOwn(agents, agentId)) throw new AgentNotFoundException(agentId);
    return agents[agentId];
  }

  /** A fresh instance for one run, or 404. */
  async instantiate(agentId: string, context: AgentFactoryContext = {}): Promise<AgUiAgent> {
    if (this.discovered.has(agentId)) return this.get(agentId, context);
    const agent = await this.get(agentId, context);
    return typeof agent.clone === 'function' ? agent.clone() : agent;
  }

  private async configured(context: AgentFactoryContext): Promise<Record<string, AgUiAgent>> {
    if (this.fixed) return this.fixed;
    const agents = await this.factory!(context);
    const problems = AgentRegistry.check(agents);
    for (const id of this.discovered.keys()) {
      if (Object.hasOwn(agents ?? {}, id)) problems.push(AGENT_FROM_FACTORY_AND_DISCOVERY(id));
    }
    // A factory runs per request, so this can only be reported now; it is a server bug (500).
    if (problems.length > 0) throw new CopilotKitConfigurationError([INVALID_FACTORY_AGENTS, ...problems]);
    return agents;
  }

  private static check(agents: unknown): string[] {
    if (typeof agents !== 'object' || agents === null || Array.isArray(agents)) {
      return [AGENTS_NOT_A_RECORD(describeValue(agents))];
    }
    const problems: string[] = [];
    for (const [id, agent] of Object.entries(agents)) {
      if (!URL_SAFE_ID.test(id)) {
        problems.push(AGENT_ID_NOT_URL_SAFE(id));
      }
      if (typeof (agent as AgUiAgent | null)?.run !== 'function') {
        problems.push(AGENT_WITHOUT_RUN(id, describeValue(agent)));
      }
    }
    return problems;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return typeof value;
}

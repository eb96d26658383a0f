import type { AgentFactoryContext, AgentsSource, AgUiAgent } from '../interfaces/ag-ui-agent.interface.js';
import { AgentNotFoundException } from '../errors/agent-not-found.exception.js';
import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';

/** Ids go into URLs, and the CopilotKit client does not encode them on `/connect`. */
const URL_SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/;

/**
 * The agents this runtime serves, from a fixed record or a per-request factory. Hands out one
 * instance per request (a clone when the agent can clone itself) so runs never share state.
 */
export class AgentRegistry {
  private readonly fixed: Record<string, AgUiAgent> | undefined;
  private readonly factory: Exclude<AgentsSource, Record<string, AgUiAgent>> | undefined;

  constructor(source: AgentsSource | undefined) {
    if (typeof source === 'function') {
      this.factory = source;
    } else {
      const problems = AgentRegistry.check(source ?? {});
      if (problems.length > 0) throw new CopilotKitConfigurationError(problems);
      this.fixed = { ...source };
    }
  }

  get isPerRequest(): boolean {
    return this.factory !== undefined;
  }

  /** The agents visible to this request. */
  async list(context: AgentFactoryContext = {}): Promise<Record<string, AgUiAgent>> {
    if (this.fixed) return this.fixed;
    const agents = await this.factory!(context);
    const problems = AgentRegistry.check(agents);
    // A factory runs per request, so this can only be reported now; it is a server bug (500).
    if (problems.length > 0) throw new CopilotKitConfigurationError(['the agents factory returned invalid agents:', ...problems]);
    return agents;
  }

  /** The registered agent (not a copy), or 404. */
  async get(agentId: string, context: AgentFactoryContext = {}): Promise<AgUiAgent> {
    const agents = await this.list(context);
    if (!Object.prototype.hasOwnProperty.call(agents, agentId)) throw new AgentNotFoundException(agentId);
    return agents[agentId];
  }

  /** A fresh instance for one run, or 404. */
  async instantiate(agentId: string, context: AgentFactoryContext = {}): Promise<AgUiAgent> {
    const agent = await this.get(agentId, context);
    return typeof agent.clone === 'function' ? agent.clone() : agent;
  }

  private static check(agents: unknown): string[] {
    if (typeof agents !== 'object' || agents === null || Array.isArray(agents)) {
      return [`'agents' must be a record of agent id to AG-UI agent, or a function returning one; got ${describeValue(agents)}.`];
    }
    const problems: string[] = [];
    for (const [id, agent] of Object.entries(agents)) {
      if (!URL_SAFE_ID.test(id)) {
        problems.push(
          `agent id '${id}' is not URL-safe (the CopilotKit client puts it in URLs unencoded); use letters, digits, '.', '_', '~' and '-'.`,
        );
      }
      if (typeof (agent as AgUiAgent | null)?.run !== 'function') {
        problems.push(
          `agent '${id}' has no run(input) method; pass an AG-UI agent (an AbstractAgent from @ag-ui/client such as new HttpAgent({ url })), got ${describeValue(agent)}.`,
        );
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

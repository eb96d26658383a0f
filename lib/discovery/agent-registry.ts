import { Logger } from '@nestjs/common';
import type { AgentFactoryContext, AgentsSource, AgUiAgent } from '../interfaces/ag-ui-agent.interface.js';
import { AgentNotFoundException } from '../errors/agent-not-found.exception.js';
import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import {
  AGENT_CLOSE_FAILED,
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

/**
 * What an agents factory returned for one request. Once the request is done with them, `release`
 * closes those not known to be long-lived (see AgentRegistry).
 */
export interface AgentLease {
  /** Closes the agents the factory built for the request; only the first call does, and it never rejects. */
  release(): Promise<void>;
}

/** Instance → the id it was returned under (for messages). */
type HeldAgents = Map<AgUiAgent, string>;

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
 *
 * What a factory returns may hold connections (BuiltInAgent's MCP sessions), and nothing else
 * would ever close an agent built per request. So each request's agents are closed once it is
 * done with them, except an instance that a second factory call returned again: that is a cache
 * in the factory, whose agents serve later requests, so they are closed at shutdown instead.
 */
export class AgentRegistry {
  private readonly logger = new Logger(AgentRegistry.name);
  private readonly fixed: Record<string, AgUiAgent> | undefined;
  private readonly factory: Exclude<AgentsSource, Record<string, AgUiAgent>> | undefined;
  private readonly discovered = new Map<string, DiscoveredAgent>();
  /** Weak: the agents built per request must stay collectable once closed. */
  private readonly seen = new WeakSet<AgUiAgent>();
  /** Strong: a factory cache that later drops an agent must not take the only way to close it. */
  private readonly longLived: HeldAgents = new Map();
  /** Leases not released yet (a run that never settled), closed at shutdown. */
  private readonly leases = new Map<AgentLease, HeldAgents>();
  /** Closes under way, which shutdown waits for. */
  private readonly closing = new Set<Promise<void>>();

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

  /** A lease for one request's factory agents, to pass to `list`, `get` or `instantiate` and release after. */
  lease(): AgentLease {
    const lease: AgentLease = { release: () => this.release(lease) };
    this.leases.set(lease, new Map());
    return lease;
  }

  /** The agents visible to this request, by id; what the factory built goes on `lease`. */
  async list(context: AgentFactoryContext = {}, lease?: AgentLease): Promise<Record<string, AgUiAgent>> {
    const agents = { ...(await this.configured(context, lease)) };
    for (const [id, agent] of this.discovered) agents[id] = await agent.resolve(context);
    return agents;
  }

  /** The registered agent (not a copy), or 404. The factory's other agents are closed at once. */
  async get(agentId: string, context: AgentFactoryContext = {}, lease?: AgentLease): Promise<AgUiAgent> {
    const discovered = this.discovered.get(agentId);
    if (discovered) return discovered.resolve(context);
    const agents = await this.configured(context, lease);
    const agent = Object.hasOwn(agents, agentId) ? agents[agentId] : undefined;
    if (lease) this.keepOnly(lease, agent);
    if (!agent) throw new AgentNotFoundException(agentId);
    return agent;
  }

  /** A fresh instance for one run, or 404. */
  async instantiate(agentId: string, context: AgentFactoryContext = {}, lease?: AgentLease): Promise<AgUiAgent> {
    if (this.discovered.has(agentId)) return this.get(agentId, context);
    const agent = await this.get(agentId, context, lease);
    return typeof agent.clone === 'function' ? agent.clone() : agent;
  }

  /** At shutdown: the fixed agents, the long-lived ones of a factory, and whatever a lease still holds. */
  async close(): Promise<void> {
    await Promise.all([...this.leases.keys()].map((lease) => this.release(lease)));
    const agents: HeldAgents = new Map(this.longLived);
    this.longLived.clear();
    for (const [id, agent] of Object.entries(this.fixed ?? {})) if (!agents.has(agent)) agents.set(agent, id);
    await Promise.all([...agents].map(([agent, id]) => this.closeAgent(agent, id)));
    await Promise.all(this.closing);
  }

  private async configured(context: AgentFactoryContext, lease?: AgentLease): Promise<Record<string, AgUiAgent>> {
    if (this.fixed) return this.fixed;
    const agents = await this.factory!(context);
    const problems = AgentRegistry.check(agents);
    for (const id of this.discovered.keys()) {
      if (Object.hasOwn(agents ?? {}, id)) problems.push(AGENT_FROM_FACTORY_AND_DISCOVERY(id));
    }
    // A factory runs per request, so this can only be reported now; it is a server bug (500).
    if (problems.length > 0) throw new CopilotKitConfigurationError([INVALID_FACTORY_AGENTS, ...problems]);
    this.track(agents, lease && this.leases.get(lease));
    return agents;
  }

  /**
   * Counts factory calls per instance, not ids: one instance under two ids of one record is still
   * one request's agent. The second call that returns an instance proves it outlives requests.
   */
  private track(agents: Record<string, AgUiAgent>, held: HeldAgents | undefined): void {
    const distinct: HeldAgents = new Map();
    for (const [id, agent] of Object.entries(agents)) if (!distinct.has(agent)) distinct.set(agent, id);
    for (const [agent, id] of distinct) {
      if (this.seen.has(agent)) {
        if (!this.longLived.has(agent)) this.longLived.set(agent, id);
      } else {
        this.seen.add(agent);
      }
      held?.set(agent, id);
    }
  }

  /** Closes at once what the lease holds besides `used`: the request will not touch them. */
  private keepOnly(lease: AgentLease, used: AgUiAgent | undefined): void {
    const held = this.leases.get(lease);
    if (!held) return;
    for (const [agent, id] of held) {
      if (agent === used) continue;
      held.delete(agent);
      void this.closeShortLived(agent, id);
    }
  }

  private async release(lease: AgentLease): Promise<void> {
    const held = this.leases.get(lease);
    if (!held) return;
    this.leases.delete(lease);
    await Promise.all([...held].map(([agent, id]) => this.closeShortLived(agent, id)));
  }

  /** Decided when the request ends, not when it began: a concurrent request may have shown it long-lived since. */
  private closeShortLived(agent: AgUiAgent, id: string): Promise<void> {
    return this.longLived.has(agent) ? Promise.resolve() : this.closeAgent(agent, id);
  }

  /** Calls the agent's `close()` if it has one; a failure is logged, never thrown at the request. */
  private closeAgent(agent: AgUiAgent, id: string): Promise<void> {
    const close = (agent as { close?: unknown }).close;
    if (typeof close !== 'function') return Promise.resolve();
    const closing = (async () => {
      try {
        await close.call(agent);
      } catch (error) {
        this.logger.warn(
          AGENT_CLOSE_FAILED(id, agent.constructor?.name ?? 'Object', error instanceof Error ? error.message : String(error)),
        );
      }
    })();
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
    return closing;
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

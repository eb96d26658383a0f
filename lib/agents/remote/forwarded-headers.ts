import type { AgUiAgent } from '../../interfaces/ag-ui-agent.interface.js';
import { pickHeaders } from './pick-headers.js';
import { RemoteAgent } from './remote.agent.js';

/** What an AG-UI `HttpAgent` (or any agent built like one) sends on its outbound request. */
interface AgentWithHeaders extends AgUiAgent {
  headers: Record<string, string>;
  clone(): AgentWithHeaders;
}

function takesHeaders(agent: AgUiAgent): agent is AgentWithHeaders {
  const { headers } = agent as { headers?: unknown };
  return typeof headers === 'object' && headers !== null && !Array.isArray(headers) && typeof agent.clone === 'function';
}

/**
 * The run's agent with the module's `forwardHeaders` applied, as a new instance: the agent handed
 * in may be the one every request shares (a default-scoped `@CopilotAgent`), and headers set on it
 * would reach other callers' runs. Headers the app configured on the agent win, as in the
 * official runtime: a caller must not be able to replace the agent's own credentials.
 */
export function withForwardedHeaders(agent: AgUiAgent, request: unknown, names: readonly string[]): AgUiAgent {
  if (names.length === 0) return agent;
  if (agent instanceof RemoteAgent) return agent.forwardingAlso(names);
  if (!takesHeaders(agent)) return agent;
  const configured = new Set(Object.keys(agent.headers).map((name) => name.toLowerCase()));
  const forwarded = Object.entries(pickHeaders(request, names)).filter(([name]) => !configured.has(name));
  if (forwarded.length === 0) return agent;
  const copy = agent.clone();
  copy.headers = { ...Object.fromEntries(forwarded), ...copy.headers };
  return copy;
}

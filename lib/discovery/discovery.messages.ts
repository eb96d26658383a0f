const quote = (name: string) => `'${name}'`;

export const AGENT_NAME_NOT_URL_SAFE = (location: string, agentId: string) =>
  `@CopilotAgent ${location}: name '${agentId}' is not URL-safe; use letters, digits, '.', '_', '~' and '-'.`;

export const DUPLICATE_AGENT_NAME = (agentId: string, location: string, other: string) =>
  `two agents are named '${agentId}': @CopilotAgent ${location} and ${other}. Rename one.`;

/** Who else holds an agent name when it is one of `forRoot`'s agents. */
export const FOR_ROOT_AGENTS = 'the agents of forRoot';

export const AGENT_FROM_FACTORY_AND_DISCOVERY = (id: string) => `agent '${id}' is both returned by the factory and a @CopilotAgent.`;

export const INVALID_FACTORY_AGENTS = 'the agents factory returned invalid agents:';

export const AGENTS_NOT_A_RECORD = (got: string) =>
  `'agents' must be a record of agent id to AG-UI agent, or a function returning one; got ${got}.`;

export const AGENT_ID_NOT_URL_SAFE = (id: string) =>
  `agent id '${id}' is not URL-safe (the CopilotKit client puts it in URLs unencoded); use letters, digits, '.', '_', '~' and '-'.`;

export const AGENT_WITHOUT_RUN = (id: string, got: string) =>
  `agent '${id}' has no run(input) method; pass an AG-UI agent (an AbstractAgent from @ag-ui/client such as new HttpAgent({ url })), got ${got}.`;

export const UNKNOWN_ACTION_ARGUMENTS = (location: string) =>
  `@CopilotAction on ${location}: cannot tell what its arguments are. Type the arguments parameter with a class-validator DTO class, or give 'parameters' (a JSON Schema, a Standard Schema such as zod, or a CopilotKit parameter list).`;

export const SERVING_AGENT = (className: string, id: string, runtime: string) =>
  `Serving @CopilotAgent ${className} as '${id}' on runtime '${runtime}'`;

export const HOOKS_WITHOUT_METHODS = (className: string, methods: readonly string[]) =>
  `@CopilotHooks class ${className} has none of ${methods.join(', ')}.`;

export const RUNTIME_NOT_SELECTED = (location: string, runtimes: readonly string[]) =>
  `${location}: the app has several CopilotKit runtimes (${runtimes.map(quote).join(', ')}), so it must say which serve it, e.g. { runtime: ${quote(runtimes[0]!)} } or { runtime: [${runtimes.map(quote).join(', ')}] }.`;

export const UNKNOWN_RUNTIME = (location: string, unknown: readonly string[], runtimes: readonly string[]) =>
  `${location}: runtime ${unknown.length > 0 ? unknown.map(quote).join(', ') : '[]'} is not one of the app's CopilotKit runtimes (${runtimes.map(quote).join(', ')}); a runtime is named by forRoot's 'name', else its 'path'.`;

export const DUPLICATE_RUNTIME_NAME = (name: string) =>
  `Two CopilotKitModule.forRoot are named ${quote(name)}: give each its own 'name' (or 'path').`;

export const LAZY_PROVIDER_LEFT_OUT = (className: string, reason: string) =>
  `${className}, in a module loaded after boot, was left out of CopilotKit (its other declarations too, until the app restarts): ${reason}`;

export const AGENT_CLOSE_FAILED = (id: string, className: string, reason: string) =>
  `Closing agent '${id}' (${className}) failed: ${reason}`;

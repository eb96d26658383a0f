export const MODEL_REQUIRED = (label: string) => `${label}: 'model' is required.`;

export const INVALID_MAX_STEPS = (label: string, got: unknown) => `${label}: 'maxSteps' must be a positive integer, got ${String(got)}.`;

export const INVALID_PRICING = (label: string) => `${label}: 'pricing' needs non-negative 'inputPerMillion' and 'outputPerMillion'.`;

export const INVALID_MODEL = (agent: string) => `${agent}: 'model' must be 'provider:model' or a ModelAdapter.`;

export const MISSING_MODEL_API_KEY = (agent: string, model: string, env: string, adapter: string) =>
  `${agent}: model '${model}' needs an API key: set ${env}, pass 'apiKey', or pass ${/^[AEIOU]/.test(adapter) ? 'an' : 'a'} ${adapter} with your own client.`;

export const MISSING_MODEL_SDK = (agent: string, model: string, sdk: string) =>
  `${agent}: model '${model}' needs the '${sdk}' package: npm install ${sdk}`;

export const MISSING_LANGCHAIN_CORE = `LangChainAdapter needs the '@langchain/core' package: npm install @langchain/core`;

export const INVALID_LANGCHAIN_CHAIN_FN = (got: unknown) =>
  `LangChainAdapter: 'chainFn' must be a function of { messages, tools, signal } returning a LangChain stream, message or string, got ${typeof got}.`;

export const INVALID_LANGCHAIN_MODEL_LABEL = (got: unknown) =>
  `LangChainAdapter: 'model' must be a non-empty string (the name usage and telemetry report), got ${JSON.stringify(got)}.`;

export const INVALID_LANGCHAIN_RESULT = (got: string) =>
  `LangChainAdapter: 'chainFn' returned ${got}; return chain.stream(messages), a message (chain.invoke(messages)) or a string.`;

export const INVALID_REMOTE_URL = (url: unknown) => `RemoteAgent: 'url' must be an http(s) URL, got ${JSON.stringify(url)}.`;

export const STREAM_WITHOUT_FINISH_REASON = 'The stream ended without a finish reason.';

export const MODEL_CALL_FAILED = (provider: string, code: string, attempt: number, reason: string) =>
  `${provider} call failed (${code}, attempt ${attempt}): ${reason}`;

export const UPSTREAM_CREDENTIALS_REJECTED = (provider: string, status: number) =>
  `The ${provider} API rejected the credentials (HTTP ${status}).`;

export const UPSTREAM_RATE_LIMITED = (provider: string) => `The ${provider} API is rate limiting requests (HTTP 429). Try again shortly.`;

export const UPSTREAM_FAILED = (provider: string, status: number) => `The ${provider} API failed (HTTP ${status}).`;

export const UPSTREAM_REQUEST_REJECTED = (provider: string, status: number) => `The ${provider} API rejected the request (HTTP ${status}).`;

export const UPSTREAM_TIMED_OUT = (provider: string) => `The ${provider} API did not answer in time.`;

export const UPSTREAM_BROKE_OFF = (provider: string) => `The answer from the ${provider} API broke off.`;

export const UPSTREAM_UNREACHABLE = (provider: string) => `The ${provider} API could not be reached.`;

export const RESPONSES_STREAM_FAILED = (code: string | undefined, message: string | undefined) =>
  `The response failed${code ? ` (${code})` : ''}: ${message ?? 'no details given'}`;

export const INVALID_OPENAI_API = (model: string, got: unknown) =>
  `OpenAIAdapter(${model}): 'api' must be 'chat' (Chat Completions) or 'responses' (the Responses API), got ${JSON.stringify(got)}.`;

export const RESPONSES_WITHOUT_CLIENT_SUPPORT = (model: string) =>
  `OpenAIAdapter(${model}): 'api: responses' needs a client with responses.create(), as the 'openai' package's OpenAI client has; upgrade 'openai' or use 'api: chat'.`;

export const RESPONSES_SETTING_IGNORED = (model: string, setting: string) =>
  `OpenAIAdapter(${model}): the Responses API has no '${setting}'; it is ignored. Remove it from the agent, or use 'api: chat'.`;

export const TOOL_CALL_UNANSWERED = 'This tool call was never answered.';

export const UNKNOWN_TOOL = (name: string) => `There is no tool named '${name}'. Use one of the tools offered.`;

export const ACTION_DECLINED = (action: string) => `The user declined '${action}'; it did not run.`;

export const ACTION_NOT_APPROVED = (action: string) => `The user moved on without approving '${action}'; it did not run.`;

export const TOOL_RESULT_ERROR = (error: string, text: string) => `Error: ${error}${text ? `\n${text}` : ''}`;

export const MCP_SERVERS_NOT_AN_ARRAY = (label: string) => `${label}: 'mcpServers' must be an array of MCP server configs.`;

export const MCP_SERVER_NOT_AN_OBJECT = 'must be an object with at least a name and a url.';

export const INVALID_MCP_SERVER_NAME = (got: unknown) =>
  `'name' must be 1-32 letters, digits or '-' (it prefixes the tool names), got ${JSON.stringify(got)}.`;

export const DUPLICATE_MCP_SERVER_NAME = (name: string) => `another MCP server is already named '${name}'.`;

export const INVALID_MCP_URL = `'url' must be an http(s) URL.`;

export const INVALID_MCP_TRANSPORT = (got: unknown) => `'transport' must be 'http' or 'sse', got ${JSON.stringify(got)}.`;

export const INVALID_MCP_HEADERS = `'headers' must be a record of strings or a function of the request returning one.`;

export const INVALID_MCP_TOOLS = `'tools' must be an array of tool names.`;

export const INVALID_MCP_USER_KEY = `'userKey' must be a function of the request.`;

export const SHARED_PER_CALLER_HEADERS = `'headers' is a function of the request, so connections must be per caller; remove 'perUser: false' or make the headers static.`;

export const PER_USER_WITHOUT_KEY = `'perUser' needs a way to tell callers apart: 'headers' as a function of the request, or 'userKey'.`;

export const INVALID_MCP_GUARDS = `'guards' must be an array of guard classes or instances.`;

export const INVALID_MCP_NUMBER = (field: string, got: unknown) => `'${field}' must be a positive integer, got ${String(got)}.`;

export const MISSING_MCP_SDK = (label: string) =>
  `${label}: 'mcpServers' needs the '@modelcontextprotocol/sdk' package: npm install @modelcontextprotocol/sdk`;

export const MCP_CONNECT_TIMED_OUT = (timeoutMs: number) => `connecting took longer than ${timeoutMs} ms`;

export const MCP_TERMINATE_TIMED_OUT = 'terminating the session timed out';

export const MCP_CONNECTION_CLOSED = 'the connection to the server was closed';

export const MCP_SERVER_UNAVAILABLE = (name: string, reason: string, retryInMs: number) =>
  `MCP server '${name}' is unavailable (${reason}); runs go on without its tools, ${retryInMs > 0 ? `next attempt in ${Math.ceil(retryInMs / 1000)} s` : 'reconnecting on the next run'}.`;

export const MCP_SERVER_AVAILABLE = (name: string) => `MCP server '${name}' is available again.`;

export const MCP_HEADERS_FAILED = (server: string, reason: string) =>
  `MCP server '${server}': resolving the headers of this caller failed (${reason}); its tools are left out of the run.`;

export const INVALID_RESOLVED_HEADERS = `'headers' must return a record of strings`;

export const MCP_TOOL_SHADOWED = (tool: string, server: string, name: string) =>
  `MCP tool '${tool}' of server '${server}' is not offered: a backend action is also named '${name}'.`;

export const MCP_TOOL_SCHEMA_REJECTED = (location: string, reason: string) => `${location} is not offered: ${reason}`;

export const MCP_TOOL_REPORTED_ERROR = (name: string, text: string) =>
  `The tool '${name}' reported an error: ${text || 'no details given.'}`;

export const MCP_TOOL_NO_CONTENT = 'The tool completed without returning any content.';

export const STOPPED_BEFORE_TOOL = (name: string) => `The run was stopped before '${name}' started.`;

export const MCP_TOOL_TIMED_OUT = (name: string, timeoutMs: number) => `The tool '${name}' did not answer within ${timeoutMs} ms.`;

export const MCP_TOOL_FAILED = (name: string, reason: string) => `The tool '${name}' failed: ${reason}`;

export const MCP_SERVER_LOST_DURING_CALL = (server: string, reason: string, name: string) =>
  `The MCP server '${server}' could not be reached (${reason}), so '${name}' may not have run. Its tools are unavailable for now.`;

export const UNSUPPORTED_MODEL = (agent: string, model: string, providers: readonly string[]) =>
  `${agent}: model '${model}' must be '<provider>:<model>' (or '<provider>/<model>') with a provider of ${providers.join(', ')}, or a ModelAdapter (OpenAIAdapter, AnthropicAdapter, GoogleAdapter) with your own client, e.g. for any other OpenAI-compatible endpoint.`;

export const PROMPT_AND_INSTRUCTIONS = (label: string) =>
  `${label}: give 'instructions' or 'prompt' (its alias, as the official CopilotKit docs call it), not both.`;

export const INVALID_INSTRUCTIONS = (label: string, field: string) => `${label}: '${field}' must be a string.`;

export const INVALID_STATE_TOOLS = (label: string, got: unknown) =>
  `${label}: 'stateTools' must be true, false or left out (offered when the client shares a non-empty state), got ${JSON.stringify(got)}.`;

export const STATE_ARGUMENTS_NOT_JSON = (tool: string) => `The arguments of '${tool}' are not valid JSON. The state is unchanged.`;

export const STATE_SNAPSHOT_NOT_AN_OBJECT = `'snapshot' must be a JSON object: the complete new state. The state is unchanged.`;

export const STATE_DELTA_NOT_A_LIST = `'delta' must be a list of JSON Patch operations, e.g. [{"op": "add", "path": "/todos/-", "value": "..."}]. The state is unchanged.`;

export const STATE_OPERATION_INVALID = (index: number, reason: string) =>
  `Operation ${index} of 'delta' is not a valid JSON Patch operation: ${reason}. Nothing was applied; the state is unchanged.`;

export const STATE_PATCH_FAILED = (operation: { index: number; op: string; path: string } | undefined, reason: string) =>
  `${operation ? `Operation ${operation.index} (${operation.op} ${operation.path})` : 'The patch'} does not apply to the current state: ${reason}. Nothing was applied; the state is unchanged.`;

export const STATE_NOT_AN_OBJECT = `The patch would make the state something other than a JSON object. Nothing was applied; the state is unchanged.`;

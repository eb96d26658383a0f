/** What OpenAI and Anthropic both accept as a tool name: the rule for action names and MCP tool names alike. */
export const MODEL_TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

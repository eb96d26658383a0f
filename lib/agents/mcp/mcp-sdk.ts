/**
 * The parts of `@modelcontextprotocol/sdk` this library uses, in one module so that it is loaded
 * with one dynamic `import()` the first time an agent talks to an MCP server, and never otherwise.
 */
export { Client } from '@modelcontextprotocol/sdk/client/index.js';
export { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
export { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

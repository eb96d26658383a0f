import { randomUUID } from 'node:crypto';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { z } from 'zod';
import { BuiltInAgent } from '../../lib/index.js';
import { LlmMock } from '../fixtures/llm-mock.js';
import { AgentProbe, ScriptedAgent } from '../fixtures/test-agents.js';
import { startCopilotKit, type TestApp } from '../fixtures/test-app.js';

// @copilotkit/core only connects to a runtime where a `window` exists (a browser). A bare object
// is enough for it to take the browser path in Node; it is installed before the module loads.
(globalThis as { window?: unknown }).window ??= {};
const { CopilotKitCore, CopilotKitCoreRuntimeConnectionStatus } = await import('@copilotkit/core');

const requests: string[] = [];

async function connect(runtimeUrl: string, transport: 'rest' | 'single' = 'rest') {
  const core = new CopilotKitCore({ runtimeUrl, runtimeTransport: transport, headers: { 'x-app': 'test' } });
  const deadline = Date.now() + 5000;
  while (core.runtimeConnectionStatus !== CopilotKitCoreRuntimeConnectionStatus.Connected) {
    if (core.runtimeConnectionStatus === CopilotKitCoreRuntimeConnectionStatus.Error || Date.now() > deadline) {
      throw new Error(`runtime connection status: ${core.runtimeConnectionStatus}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return core;
}

/** Records which routes the client really used, so each transport is shown to be exercised. */
@Injectable()
class RequestRecorder implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ method: string; url: string; body?: { method?: string } }>();
    requests.push(`${request.method} ${request.url}${request.body?.method ? ` ${request.body.method}` : ''}`);
    return true;
  }
}

/**
 * The CopilotKit frontend core (what @copilotkit/react-core drives), unmodified: it discovers
 * agents through /info and runs them, over the REST routes and over the single-route envelope.
 */
describe.each(['rest', 'single'] as const)('@copilotkit/core over the %s transport', (transport) => {
  let server: TestApp;
  const probe = new AgentProbe();

  beforeAll(async () => {
    server = await startCopilotKit(
      { agents: { assistant: new ScriptedAgent(probe) } },
      { providers: [{ provide: APP_GUARD, useClass: RequestRecorder }] },
    );
  });
  afterAll(() => server.close());
  beforeEach(() => requests.splice(0));

  const connectedCore = () => connect(server.url, transport);

  it('discovers the agent with its description through info', async () => {
    const core = await connectedCore();
    const agent = core.getAgent('assistant');

    expect(agent).toBeDefined();
    expect(agent!.description).toBe('Answers with scripted text.');
    expect(requests[0]).toBe(transport === 'rest' ? 'GET /copilotkit/info' : 'POST /copilotkit info');
  });

  it('runs the agent and receives its answer', async () => {
    const core = await connectedCore();
    const agent = core.getAgent('assistant')!;
    agent.threadId = randomUUID();
    agent.addMessage({ id: randomUUID(), role: 'user', content: 'from the browser' });
    const errors: unknown[] = [];
    core.subscribe({ onError: (event: unknown) => void errors.push(event) });

    const result = await core.runAgent({ agent });

    expect(result.newMessages).toEqual([expect.objectContaining({ role: 'assistant', content: 'You said: from the browser.' })]);
    expect(errors).toEqual([]);
    expect(probe.inputs.at(-1)?.threadId).toBe(agent.threadId);
    expect(requests).toContain(transport === 'rest' ? 'POST /copilotkit/agent/assistant/run' : 'POST /copilotkit agent/run');
  });
});

/**
 * The whole loop as a browser runs it: the built-in agent (on aimock, through the real openai
 * client) asks for a frontend tool, @copilotkit/core runs the tool's handler, starts the follow-up
 * run with the result, and the model answers.
 */
describe('@copilotkit/core with the built-in agent and a frontend tool', () => {
  const llm = new LlmMock();
  let server: TestApp;

  beforeAll(async () => {
    await llm.start();
    server = await startCopilotKit({ agents: { default: new BuiltInAgent({ model: llm.adapter('openai') }) } });
  });
  afterAll(async () => {
    await server.close();
    await llm.stop();
  });

  it('runs the tool in the client and finishes the conversation', async () => {
    llm.server.on(
      { userMessage: 'highlight', hasToolResult: false },
      { toolCalls: [{ id: 'call_h', name: 'highlight', arguments: { id: 'task-7' } }] },
    );
    llm.server.on({ userMessage: 'highlight', hasToolResult: true }, { content: 'Task 7 is highlighted.' });
    const core = await connect(server.url);
    const highlighted: unknown[] = [];
    core.addTool({
      name: 'highlight',
      description: 'Highlight a task on the page',
      parameters: z.object({ id: z.string() }),
      handler: async (args) => {
        highlighted.push(args);
        return { highlighted: true };
      },
    });
    const agent = core.getAgent('default')!;
    agent.addMessage({ id: randomUUID(), role: 'user', content: 'highlight task 7' });

    await core.runAgent({ agent });
    await waitFor(() => agent.messages.at(-1)?.content === 'Task 7 is highlighted.');

    expect(highlighted).toEqual([{ id: 'task-7' }]);
    expect(agent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    const offered = llm.requests()[0].body.tools?.map((tool) => tool.function.name);
    expect(offered).toEqual(['highlight']);
    expect(llm.requests()[1].body.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_h', content: '{"highlighted":true}' });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

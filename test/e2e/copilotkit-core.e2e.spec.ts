import { randomUUID } from 'node:crypto';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AgentProbe, ScriptedAgent } from '../fixtures/test-agents.js';
import { startCopilotKit, type TestApp } from '../fixtures/test-app.js';

// @copilotkit/core only connects to a runtime where a `window` exists (a browser). A bare object
// is enough for it to take the browser path in Node; it is installed before the module loads.
(globalThis as { window?: unknown }).window ??= {};
const { CopilotKitCore, CopilotKitCoreRuntimeConnectionStatus } = await import('@copilotkit/core');

const requests: string[] = [];

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

  async function connectedCore() {
    const core = new CopilotKitCore({ runtimeUrl: server.url, runtimeTransport: transport, headers: { 'x-app': 'test' } });
    const deadline = Date.now() + 5000;
    while (core.runtimeConnectionStatus !== CopilotKitCoreRuntimeConnectionStatus.Connected) {
      if (core.runtimeConnectionStatus === CopilotKitCoreRuntimeConnectionStatus.Error || Date.now() > deadline) {
        throw new Error(`runtime connection status: ${core.runtimeConnectionStatus}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return core;
  }

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

    expect(result.newMessages).toEqual([
      expect.objectContaining({ role: 'assistant', content: 'You said: from the browser.' }),
    ]);
    expect(errors).toEqual([]);
    expect(probe.inputs.at(-1)?.threadId).toBe(agent.threadId);
    expect(requests).toContain(
      transport === 'rest' ? 'POST /copilotkit/agent/assistant/run' : 'POST /copilotkit agent/run',
    );
  });
});

import { EventType, type BaseEvent, type RunAgentInput } from '@ag-ui/core';
import { Observable } from 'rxjs';
import { CopilotKitConfigurationError, RemoteAgent, type AgUiAgent, type CopilotRunContext } from '../../lib/index.js';
import { openSse, postJson, postSse, runInput } from '../fixtures/sse-client.js';
import { startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { AgentProbe, ScriptedAgent, TEXT_RUN_TYPES, textRun } from '../fixtures/test-agents.js';

const ECHOED = ['authorization', 'x-api-key', 'x-tenant', 'x-trace'];

/** The remote side: answers with the headers its request arrived with, as JSON text. */
class HeaderEchoAgent implements AgUiAgent {
  run(input: RunAgentInput, context?: CopilotRunContext): Observable<BaseEvent> {
    const headers = (context?.request as { headers: Record<string, string> }).headers;
    const seen = Object.fromEntries(ECHOED.filter((name) => headers[name] !== undefined).map((name) => [name, headers[name]]));
    return textRun(input, JSON.stringify(seen));
  }
}

function answerOf(events: Array<Record<string, any>>): Record<string, string> {
  return JSON.parse(
    events
      .filter((e) => e.type === EventType.TEXT_MESSAGE_CONTENT)
      .map((e) => e.delta)
      .join(''),
  );
}

describe('RemoteAgent', () => {
  let remote: TestApp;
  let front: TestApp;
  const slowProbe = new AgentProbe();

  beforeAll(async () => {
    // Another app serving this module stands in for any AG-UI server (LangGraph, CrewAI, Mastra).
    remote = await startCopilotKit(
      {
        agents: { echo: new HeaderEchoAgent(), slow: new ScriptedAgent(slowProbe, { delayMs: 40, deltas: () => Array(50).fill('.') }) },
        cancelRunOnDisconnect: true,
      },
      {},
    );
    front = await startCopilotKit({
      agents: {
        secured: new RemoteAgent({
          url: `${remote.url}/agent/echo/run`,
          headers: { Authorization: 'Bearer server-credential' },
          forwardHeaders: ['x-tenant', 'authorization', 'X-Trace'],
        }),
        plain: new RemoteAgent({ url: `${remote.url}/agent/echo/run` }),
        slow: new RemoteAgent({ url: `${remote.url}/agent/slow/run` }),
      },
    });
  });
  afterAll(async () => {
    await front.close();
    await remote.close();
  });

  it('streams the remote agent through, forwarding only allow-listed headers, with the server-set ones winning', async () => {
    const result = await postSse(`${front.url}/agent/secured/run`, runInput(), {
      headers: { Authorization: 'Bearer stolen-by-client', 'x-api-key': 'client-key', 'x-tenant': 'acme', 'x-trace': 't-1' },
    });
    expect(result.status).toBe(200);
    expect(result.events.map((e) => e.type)).toEqual(TEXT_RUN_TYPES);
    expect(answerOf(result.events)).toEqual({ authorization: 'Bearer server-credential', 'x-tenant': 'acme', 'x-trace': 't-1' });
  });

  it('forwards nothing the app did not list', async () => {
    const result = await postSse(`${front.url}/agent/plain/run`, runInput(), {
      headers: { Authorization: 'Bearer user-token', 'x-api-key': 'client-key', 'x-tenant': 'acme' },
    });
    expect(answerOf(result.events)).toEqual({});
  });

  it("keeps the remote run in this app's thread: connect replays it", async () => {
    const input = runInput({ text: 'remember me' });
    await postSse(`${front.url}/agent/plain/run`, input);
    const replay = await postSse(`${front.url}/agent/plain/connect`, { threadId: input.threadId });
    expect(replay.status).toBe(200);
    expect(replay.events.filter((e) => e.type === EventType.RUN_STARTED)).toHaveLength(1);
    expect(replay.events.some((e) => e.type === EventType.TEXT_MESSAGE_CONTENT)).toBe(true);
  });

  it('stops the remote run: the client gets RUN_FINISHED and the remote connection is closed', async () => {
    const input = runInput();
    const stream = await openSse(`${front.url}/agent/slow/run`, input);
    await stream.waitFor((event) => event.type === EventType.TEXT_MESSAGE_CONTENT);
    const stop = await postJson(`${front.url}/agent/slow/stop/${input.threadId}`, {});
    expect(stop.json).toEqual({ stopped: true });
    await stream.done;
    expect(stream.events.at(-1)?.type).toBe(EventType.RUN_FINISHED);
    // The remote app cancels runs whose client left: its agent is torn down well before its 2 s script ends.
    for (let i = 0; i < 50 && slowProbe.teardowns === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(slowProbe.teardowns).toBe(1);
    expect(slowProbe.completedRuns).toBe(0);
  });

  it('rejects a configuration without an http(s) url', () => {
    expect(() => new RemoteAgent({ url: 'localhost:8000' })).toThrow(CopilotKitConfigurationError);
  });
});

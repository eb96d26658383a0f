import { HttpAgent } from '@ag-ui/client';
import { EventType, type BaseEvent, type RunAgentInput } from '@ag-ui/core';
import { Observable } from 'rxjs';
import { Test } from '@nestjs/testing';
import {
  CopilotAgent,
  CopilotKitConfigurationError,
  CopilotKitModule,
  RemoteAgent,
  type AgUiAgent,
  type CopilotRunContext,
} from '../../lib/index.js';
import { postSse, runInput } from '../fixtures/sse-client.js';
import { startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { textRun } from '../fixtures/test-agents.js';

const ECHOED = ['authorization', 'cookie', 'x-api-key', 'x-tenant', 'x-trace'];

/** The upstream AG-UI server's agent: answers with the headers its request arrived with, as JSON. */
class HeaderEchoAgent implements AgUiAgent {
  run(input: RunAgentInput, context?: CopilotRunContext): Observable<BaseEvent> {
    const headers = (context?.request as { headers: Record<string, string> }).headers;
    const seen = Object.fromEntries(ECHOED.filter((name) => headers[name] !== undefined).map((name) => [name, headers[name]]));
    return textRun(input, JSON.stringify(seen));
  }
}

/** One instance for every request, as a default-scoped `@CopilotAgent` is: the case a leak would show in. */
@CopilotAgent({ name: 'shared' })
class SharedHttpAgent extends HttpAgent {}

const callerHeaders = {
  Authorization: 'Bearer caller',
  Cookie: 'session=caller',
  'x-api-key': 'caller-key',
  'x-tenant': 'acme',
  'x-trace': 'caller-trace',
};

async function upstreamSaw(url: string, headers: Record<string, string>): Promise<Record<string, string>> {
  const result = await postSse(url, runInput(), { headers });
  expect(result.status).toBe(200);
  const text = result.events
    .filter((e) => e.type === EventType.TEXT_MESSAGE_CONTENT)
    .map((e) => e.delta)
    .join('');
  return JSON.parse(text);
}

describe('forwardHeaders', () => {
  let upstream: TestApp;
  let front: TestApp;
  let cookies: TestApp;
  let none: TestApp;
  let shared: SharedHttpAgent;

  beforeAll(async () => {
    // Another app serving this module stands in for any AG-UI server an HttpAgent points at.
    upstream = await startCopilotKit({ agents: { echo: new HeaderEchoAgent() } });
    const echo = `${upstream.url}/agent/echo/run`;
    shared = new SharedHttpAgent({ url: echo });
    front = await startCopilotKit(
      {
        forwardHeaders: ['Authorization', 'x-tenant'],
        agents: {
          http: new HttpAgent({ url: echo, headers: { 'X-Trace': 'server-trace' } }),
          remote: new RemoteAgent({ url: echo, forwardHeaders: ['x-api-key'] }),
        },
      },
      { providers: [{ provide: SharedHttpAgent, useValue: shared }] },
    );
    cookies = await startCopilotKit({ forwardHeaders: ['cookie'], agents: { http: new HttpAgent({ url: echo }) } });
    none = await startCopilotKit({
      agents: { http: new HttpAgent({ url: echo }), remote: new RemoteAgent({ url: echo, forwardHeaders: ['x-api-key'] }) },
    });
  });
  afterAll(async () => {
    await Promise.all([front, cookies, none].map((app) => app?.close()));
    await upstream?.close();
  });

  it("sends an HttpAgent's upstream exactly the listed headers of the caller, the agent's own winning", async () => {
    expect(await upstreamSaw(`${front.url}/agent/http/run`, callerHeaders)).toEqual({
      authorization: 'Bearer caller',
      'x-tenant': 'acme',
      'x-trace': 'server-trace',
    });
  });

  it('forwards nothing by default, and a cookie only when it is listed', async () => {
    expect(await upstreamSaw(`${none.url}/agent/http/run`, callerHeaders)).toEqual({});
    expect(await upstreamSaw(`${cookies.url}/agent/http/run`, callerHeaders)).toEqual({ cookie: 'session=caller' });
  });

  it("adds the module's list to a RemoteAgent's own", async () => {
    expect(await upstreamSaw(`${front.url}/agent/remote/run`, callerHeaders)).toEqual({
      authorization: 'Bearer caller',
      'x-api-key': 'caller-key',
      'x-tenant': 'acme',
    });
    expect(await upstreamSaw(`${none.url}/agent/remote/run`, callerHeaders)).toEqual({ 'x-api-key': 'caller-key' });
  });

  it('never mixes the headers of concurrent callers, nor sets them on a shared agent', async () => {
    const callers = Array.from({ length: 12 }, (_, index) => `Bearer user-${index}`);
    for (const agent of ['http', 'shared']) {
      const seen = await Promise.all(callers.map((token) => upstreamSaw(`${front.url}/agent/${agent}/run`, { Authorization: token })));
      expect(seen.map((headers) => headers.authorization)).toEqual(callers);
    }
    expect(shared.headers).toEqual({});
    // A later caller without the header gets none: nothing stayed behind from the others.
    expect(await upstreamSaw(`${front.url}/agent/shared/run`, {})).toEqual({});
  });

  it.each([
    ['authorization', /'forwardHeaders' must be an array of header names/],
    [['x-tenant', 'bad header'], /'forwardHeaders'\[1\] must be an HTTP header name/],
    [[42], /'forwardHeaders'\[0\] must be an HTTP header name/],
    [['Host'], /'forwardHeaders' cannot list 'host'/],
    [['content-length'], /'forwardHeaders' cannot list 'content-length'/],
  ])('fails the boot for forwardHeaders %j', async (forwardHeaders, message) => {
    const boot = () =>
      Test.createTestingModule({ imports: [CopilotKitModule.forRoot({ forwardHeaders: forwardHeaders as never })] }).compile();
    await expect(boot()).rejects.toThrow(CopilotKitConfigurationError);
    await expect(boot()).rejects.toThrow(message);
  });
});

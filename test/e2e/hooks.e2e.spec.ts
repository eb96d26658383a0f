import { ForbiddenException, Injectable, Module, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { EventType, type BaseEvent, type RunAgentInput } from '@ag-ui/core';
import { map, Observable, tap } from 'rxjs';
import {
  CopilotHooks,
  CopilotKitConfigurationError,
  CopilotKitModule,
  copilotRequestOf,
  isCopilotKitStream,
  type AgUiAgent,
  type CopilotKitHooks,
  type CopilotRequestContext,
  type CopilotRequestSummary,
  type CopilotRunContext,
} from '../../lib/index.js';
import { openSse, postJson, postSse, runInput } from '../fixtures/sse-client.js';
import { startApp, startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { AgentProbe, ScriptedAgent, TEXT_RUN_TYPES, textRun } from '../fixtures/test-agents.js';

/** Answers with the tenant a before-hook put on the request, so a test sees the enrichment. */
class TenantEchoAgent implements AgUiAgent {
  run(input: RunAgentInput, context?: CopilotRunContext): Observable<BaseEvent> {
    return textRun(input, `tenant=${(context?.request as { tenant?: string } | undefined)?.tenant ?? 'none'}`);
  }
}

/** Resolves once `count` summaries have been recorded. */
function recorder() {
  const summaries: CopilotRequestSummary[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    summaries,
    record(summary: CopilotRequestSummary) {
      summaries.push(summary);
      for (const waiter of waiters.filter((w) => summaries.length >= w.count)) waiter.resolve();
    },
    until(count: number): Promise<CopilotRequestSummary[]> {
      if (summaries.length >= count) return Promise.resolve(summaries);
      return new Promise((resolve) => waiters.push({ count, resolve: () => resolve(summaries) }));
    },
  };
}

describe('request hooks (forRoot({ hooks }))', () => {
  let server: TestApp;
  const after = recorder();
  const errors: Array<{ route: unknown; error: unknown }> = [];

  beforeAll(async () => {
    const hooks: CopilotKitHooks = {
      beforeRequest({ request }: CopilotRequestContext) {
        const headers = (request as { headers: Record<string, string | undefined> }).headers;
        if (headers['x-tenant'] === undefined) throw new ForbiddenException('A tenant is required.');
        (request as { tenant?: string }).tenant = headers['x-tenant'];
      },
      afterRequest: (summary) => after.record(summary),
      onError: ({ route, error }) => void errors.push({ route, error }),
    };
    // A failing after-hook, registered first: the next one still runs and the client never sees it.
    const broken: CopilotKitHooks = {
      afterRequest() {
        throw new Error('audit store down');
      },
    };
    server = await startCopilotKit({
      agents: {
        tenant: new TenantEchoAgent(),
        slow: new ScriptedAgent(new AgentProbe(), { delayMs: 30, deltas: () => ['a', 'b', 'c', 'd'] }),
      },
      hooks: [broken, hooks],
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    after.summaries.length = 0;
    errors.length = 0;
  });

  it('refuses a request with the HttpException a before-hook throws, and reports it to onError and afterRequest', async () => {
    const result = await postJson(`${server.url}/agent/tenant/run`, runInput());
    expect(result.status).toBe(403);
    expect(result.json.message).toBe('A tenant is required.');
    const [summary] = await after.until(1);
    expect(summary).toMatchObject({ route: { method: 'agent/run', agentId: 'tenant' }, outcome: 'error', messages: [] });
    expect(summary.error).toBeInstanceOf(ForbiddenException);
    expect(errors).toEqual([{ route: { method: 'agent/run', agentId: 'tenant' }, error: expect.any(ForbiddenException) }]);
  });

  it('lets a before-hook enrich the request, and gives the after-hook the run with its messages', async () => {
    const input = runInput({ text: 'who am I?' });
    const result = await postSse(`${server.url}/agent/tenant/run`, input, { headers: { 'x-tenant': 'acme' } });
    expect(result.status).toBe(200);
    expect(result.events.map((e) => e.type)).toContain(EventType.RUN_FINISHED);
    expect(result.events.find((e) => e.type === EventType.TEXT_MESSAGE_CONTENT)?.delta).toBe('tenant=acme');

    const [summary] = await after.until(1);
    expect(summary).toMatchObject({ threadId: input.threadId, runId: input.runId, outcome: 'finished', usage: [] });
    expect(summary.route).toEqual({ method: 'agent/run', agentId: 'tenant' });
    expect(summary.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'who am I?'],
      ['assistant', 'tenant=acme'],
    ]);
    expect(summary.durationMs).toBeGreaterThanOrEqual(0);
    expect(errors).toEqual([]);
  });

  it('summarises the whole run even when the client leaves after the first event', async () => {
    const input = runInput();
    const stream = await openSse(`${server.url}/agent/slow/run`, input, { headers: { 'x-tenant': 'acme' } });
    await stream.waitFor((event) => event.type === EventType.TEXT_MESSAGE_CONTENT);
    stream.abort();
    const [summary] = await after.until(1);
    expect(summary.outcome).toBe('finished');
    expect(summary.messages.at(-1)).toMatchObject({ role: 'assistant', content: 'abcd' });
  });

  it('calls the hooks on info, connect and stop with the route they concern', async () => {
    const input = runInput();
    const headers = { 'x-tenant': 'acme' };
    await postSse(`${server.url}/agent/tenant/run`, input, { headers });
    await postSse(`${server.url}/agent/tenant/connect`, { threadId: input.threadId }, { headers });
    await postJson(`${server.url}/agent/tenant/stop/${input.threadId}`, {}, { headers });
    const info = await fetch(`${server.url}/info`, { headers });
    expect(info.status).toBe(200);
    const summaries = await after.until(4);
    expect(summaries.map((s) => s.route)).toEqual(
      expect.arrayContaining([
        { method: 'agent/run', agentId: 'tenant' },
        { method: 'agent/connect', agentId: 'tenant' },
        { method: 'agent/stop', agentId: 'tenant', threadId: input.threadId },
        { method: 'info' },
      ]),
    );
    const connect = summaries.find((s) => s.route.method === 'agent/connect')!;
    expect(connect).toMatchObject({ threadId: input.threadId, runId: input.runId, outcome: 'finished' });
    expect(connect.messages.map((m) => m.content)).toEqual(['hello', 'tenant=acme']);
  });

  it('reports a route failure (unknown agent) to onError with the summary marked as an error', async () => {
    const result = await postJson(`${server.url}/agent/nope/run`, runInput(), { headers: { 'x-tenant': 'acme' } });
    expect(result.status).toBe(404);
    const [summary] = await after.until(1);
    expect(summary.outcome).toBe('error');
    expect(errors).toHaveLength(1);
  });
});

@Injectable()
class AuditLog {
  readonly entries = recorder();
}

/** The audit-log pattern from the README, as an injectable provider. */
@CopilotHooks()
class AuditHooks implements CopilotKitHooks {
  constructor(private readonly audit: AuditLog) {}

  afterRequest(summary: CopilotRequestSummary): void {
    this.audit.entries.record(summary);
  }
}

/** A host app's interceptor that wraps every response, the way many Nest apps do, but CopilotKit streams. */
@Injectable()
class WrapResponses implements NestInterceptor {
  static seen: CopilotRequestSummary[] = [];

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const answer = isCopilotKitStream(context) ? next.handle() : next.handle().pipe(map((data: unknown) => ({ data })));
    return answer.pipe(
      // The handler has started the stream by now; the run's summary follows when it ends.
      tap(() => void copilotRequestOf(context)?.summary.then((summary) => WrapResponses.seen.push(summary))),
    );
  }
}

@Module({ providers: [AuditLog, AuditHooks] })
class AuditModule {}

describe('@CopilotHooks providers and host interceptors', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startApp([AuditModule, CopilotKitModule.forRoot({ agents: { tenant: new TenantEchoAgent() } })], {
      providers: [{ provide: APP_INTERCEPTOR, useClass: WrapResponses }],
    });
  });
  afterAll(() => server.close());

  it('runs an injectable hooks provider; a wrapping interceptor that lets streams through leaves them and the JSON replies intact', async () => {
    const input = runInput();
    const result = await postSse(`${server.url}/agent/tenant/run`, input);
    expect(result.status).toBe(200);
    expect(result.body).toMatch(/^\n?id: /);
    expect(result.events.map((e) => e.type)).toEqual(TEXT_RUN_TYPES);
    const info = await (await fetch(`${server.url}/info`)).json();
    expect(info.agents.tenant).toBeDefined();
    const threads = await (await fetch(`${server.url}/threads`)).json();
    expect(Array.isArray(threads.threads)).toBe(true);

    const audit = server.app.get(AuditLog);
    const summaries = await audit.entries.until(2);
    expect(summaries.find((s) => s.route.method === 'agent/run')).toMatchObject({ threadId: input.threadId, outcome: 'finished' });
    // The interceptor saw the run through copilotRequestOf(context), once the stream was done.
    const seen = () => WrapResponses.seen.find((s) => s.runId === input.runId);
    for (let i = 0; i < 200 && !seen(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen()?.messages).toHaveLength(2);
  });

  it('rejects a @CopilotHooks class with no hook method at boot', async () => {
    @CopilotHooks()
    class NotHooks {
      log(): void {}
    }
    await expect(startApp([CopilotKitModule.forRoot({})], { providers: [NotHooks] })).rejects.toThrow(
      /@CopilotHooks class NotHooks has none of beforeRequest, afterRequest, onError/,
    );
  });

  it('rejects hooks options that are not hooks at boot', async () => {
    await expect(startApp([CopilotKitModule.forRoot({ hooks: [{ afterRequest: 'yes' } as never] })])).rejects.toThrow(
      CopilotKitConfigurationError,
    );
  });
});

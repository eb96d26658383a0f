import { ConsoleLogger, Injectable, Logger, Module } from '@nestjs/common';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { BuiltInAgent, CopilotAction, CopilotKitModule, type CopilotRequestSummary, type UsageReport } from '../../lib/index.js';
import { LlmMock } from '../fixtures/llm-mock.js';
import { RecordingMcpServer } from '../fixtures/mcp-servers.js';
import { postSse, runInput } from '../fixtures/sse-client.js';
import { startApp, type TestApp } from '../fixtures/test-app.js';

@Injectable()
class InventoryService {
  @CopilotAction({
    description: 'Units in stock for a product',
    parameters: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] },
  })
  stock({ sku }: { sku: string }) {
    if (sku === 'broken') throw new Error('warehouse offline');
    // A span the action opens itself: it must land under the action's span.
    trace.getTracer('inventory').startActiveSpan('inventory.lookup', (span) => span.end());
    return { sku, units: 12 };
  }
}

@Module({ providers: [InventoryService] })
class InventoryModule {}

/** The span tree of one trace, as `name(children...)`. */
function tree(spans: ReadableSpan[], parent: ReadableSpan): string {
  const children = spans
    .filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  return children.length === 0 ? parent.name : `${parent.name}(${children.map((child) => tree(spans, child)).join(', ')})`;
}

describe('OpenTelemetry spans (with the SDK installed by the app)', () => {
  const exporter = new InMemorySpanExporter();
  const contextManager = new AsyncLocalStorageContextManager();
  const llm = new LlmMock();
  const mcp = new RecordingMcpServer();
  const usage: UsageReport[] = [];
  const summaries: CopilotRequestSummary[] = [];
  let server: TestApp;

  beforeAll(async () => {
    // What an app's tracing.ts does; the library only uses @opentelemetry/api.
    context.setGlobalContextManager(contextManager.enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    await llm.start();
    mcp.mock
      .addTool({ name: 'forecast', description: 'Demand forecast', inputSchema: { type: 'object', properties: {} } })
      .onToolCall('forecast', () => 'up 5%');
    await mcp.start();
    const agent = new BuiltInAgent({
      model: llm.adapter('openai', 'gpt-traced'),
      mcpServers: [{ name: 'planning', url: mcp.url }],
      onUsage: (report) => usage.push(report),
      pricing: { inputPerMillion: 2, outputPerMillion: 8 },
    });
    server = await startApp([
      InventoryModule,
      CopilotKitModule.forRoot({ agents: { default: agent }, hooks: { afterRequest: (summary) => void summaries.push(summary) } }),
    ]);
  });
  afterAll(async () => {
    await server.close();
    await llm.stop();
    await mcp.stop();
    trace.disable();
    context.disable();
  });
  beforeEach(() => {
    exporter.reset();
    llm.reset();
    usage.length = 0;
    summaries.length = 0;
  });

  async function runAndCollect(text: string) {
    const input = runInput({ text });
    const result = await postSse(`${server.url}/agent/default/run`, input);
    expect(result.events.at(-1)?.type).toBe('RUN_FINISHED');
    // The run span ends when the run settles, just after the last event is written.
    const { spans, span: run } = await finishedSpan('copilotkit.run');
    return { input, spans, run };
  }

  /** Every span finished once the one named `name` has (the top span of a run ends last). */
  async function finishedSpan(name: string): Promise<{ spans: ReadableSpan[]; span: ReadableSpan }> {
    for (let i = 0; i < 50 && !exporter.getFinishedSpans().some((s) => s.name === name); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const spans = exporter.getFinishedSpans();
    return { spans, span: spans.find((span) => span.name === name)! };
  }

  /** The lines Nest's Logger prints from now on, as `<level> [<context>] <message>`, until reset. */
  function captureLogs(): string[] {
    const lines: string[] = [];
    class CapturingLogger extends ConsoleLogger {
      protected override printMessages(messages: unknown[], context = '', level = 'log'): void {
        lines.push(`${level} [${context}] ${messages.map(String).join(' ')}`);
      }
    }
    Logger.overrideLogger(new CapturingLogger());
    return lines;
  }

  it('records a run as a tree: the model call, the action (with its own child spans), the model call again', async () => {
    llm.server.on({ userMessage: 'stock', hasToolResult: false }, {
      toolCalls: [{ id: 'c1', name: 'stock', arguments: { sku: 'A-1' } }],
      usage: { prompt_tokens: 40, completion_tokens: 10 },
    } as never);
    llm.server.on({ userMessage: 'stock', hasToolResult: true }, {
      content: '12 in stock.',
      usage: { prompt_tokens: 60, completion_tokens: 5 },
    } as never);

    const { input, spans, run } = await runAndCollect('stock of A-1?');

    expect(run).toBeDefined();
    expect(run.parentSpanContext).toBeUndefined();
    expect(tree(spans, run)).toBe('copilotkit.run(copilotkit.llm, copilotkit.action(inventory.lookup), copilotkit.llm)');
    expect(run.attributes).toMatchObject({
      'copilotkit.agent_id': 'default',
      'copilotkit.thread_id': input.threadId,
      'copilotkit.run_id': input.runId,
      'copilotkit.outcome': 'finished',
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 15,
    });

    const [first, second] = spans.filter((span) => span.name === 'copilotkit.llm');
    expect(first.attributes).toMatchObject({
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-traced',
      'gen_ai.usage.input_tokens': 40,
      'gen_ai.usage.output_tokens': 10,
      'gen_ai.response.tool_calls': 1,
    });
    expect(second.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 60, 'gen_ai.response.tool_calls': 0 });

    const action = spans.find((span) => span.name === 'copilotkit.action')!;
    expect(action.attributes).toMatchObject({ 'copilotkit.action.name': 'stock', 'copilotkit.action.outcome': 'success' });
    expect(action.status.code).toBe(SpanStatusCode.UNSET);
    expect(action.duration[0] * 1e9 + action.duration[1]).toBeGreaterThan(0);

    // Usage and cost reach the app once per run: (100 × $2 + 15 × $8) / 1M tokens.
    expect(usage).toHaveLength(1);
    expect(usage[0].costUsd).toBeCloseTo(0.00032, 10);
    for (let i = 0; i < 50 && summaries.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    // The after-hook sees the same usage, from RUN_FINISHED, with the action's result among the messages.
    expect(summaries[0].usage.map((entry) => [entry.inputTokens, entry.outputTokens])).toEqual([
      [40, 10],
      [60, 5],
    ]);
    expect(summaries[0].messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
  });

  it('records an MCP tool call as its own span in the run', async () => {
    llm.server.on(
      { userMessage: 'forecast', hasToolResult: false },
      { toolCalls: [{ id: 'm1', name: 'planning_forecast', arguments: {} }] },
    );
    llm.server.on({ userMessage: 'forecast', hasToolResult: true }, { content: 'Demand goes up.' });

    const { spans, run } = await runAndCollect('forecast demand');

    expect(tree(spans, run)).toBe('copilotkit.run(copilotkit.llm, copilotkit.mcp.tool, copilotkit.llm)');
    const call = spans.find((span) => span.name === 'copilotkit.mcp.tool')!;
    expect(call.attributes).toMatchObject({
      'copilotkit.mcp.server': 'planning',
      'copilotkit.mcp.tool': 'forecast',
      'copilotkit.action.outcome': 'success',
    });
  });

  it('marks a failing action span as an error, without failing the run', async () => {
    llm.server.on(
      { userMessage: 'broken', hasToolResult: false },
      { toolCalls: [{ id: 'c2', name: 'stock', arguments: { sku: 'broken' } }] },
    );
    llm.server.on({ userMessage: 'broken', hasToolResult: true }, { content: 'The warehouse is offline.' });

    const { spans, run } = await runAndCollect('broken stock?');

    const action = spans.find((span) => span.name === 'copilotkit.action')!;
    expect(action.attributes['copilotkit.action.outcome']).toBe('failed');
    expect(action.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'failed' });
    expect(run.status.code).toBe(SpanStatusCode.UNSET);
    expect(run.attributes['copilotkit.outcome']).toBe('finished');
  });

  it('records a suggestion as copilotkit.suggest, not as a run of the thread, and logs it as one', async () => {
    const lines = captureLogs();
    try {
      llm.server.onMessage('what next', { content: 'Plan the week.' });
      const input = runInput({ text: 'what next' });
      const result = await postSse(`${server.url}/agent/default/suggest`, input);
      expect(result.events.at(-1)?.type).toBe('RUN_FINISHED');
      const { spans, span: suggestion } = await finishedSpan('copilotkit.suggest');
      expect(tree(spans, suggestion)).toBe('copilotkit.suggest(copilotkit.llm)');
      expect(suggestion.attributes).toMatchObject({ 'copilotkit.run_id': input.runId, 'copilotkit.outcome': 'finished' });
      expect(spans.map((span) => span.name)).not.toContain('copilotkit.run');
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^log \\[AgentRun\\] suggestion ended agent=default .* run=${input.runId} `)),
      );
    } finally {
      Logger.overrideLogger(['error', 'warn']);
    }
  });

  it("logs each run with its ids and outcome through Nest's Logger, never the conversation or the API key", async () => {
    const lines = captureLogs();
    try {
      llm.server.onMessage('hunter2', { content: 'I will not repeat your password.' });
      const { input } = await runAndCollect('my password is hunter2');
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^log \\[AgentRun\\] run ended agent=default thread=${input.threadId} run=${input.runId} outcome=finished ms=\\d+$`),
        ),
      );
      const everything = lines.join('\n');
      expect(everything).not.toContain('hunter2');
      expect(everything).not.toContain('repeat your password');
      expect(everything).not.toContain('sk-test-secret');
    } finally {
      Logger.overrideLogger(['error', 'warn']);
    }
  });
});

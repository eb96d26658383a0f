import { AbstractAgent, compactEvents, FilterToolCallsMiddleware, Middleware, verifyEvents, type MiddlewareFunction } from '@ag-ui/client';
import { EventType, type BaseEvent, type RunAgentInput } from '@ag-ui/core';
import { Injectable, Module } from '@nestjs/common';
import { filter, from, lastValueFrom, map, toArray, type Observable } from 'rxjs';
import { BuiltInAgent, CopilotAction, CopilotAgent, CopilotKitModule } from '../../lib/index.js';
import { LlmMock } from '../fixtures/llm-mock.js';
import { startApp, startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { postSse, runInput } from '../fixtures/sse-client.js';
import { lastUserText, textRun } from '../fixtures/test-agents.js';

@Injectable()
class WeatherService {
  static calls: string[] = [];

  @CopilotAction({
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  })
  getWeather({ city }: { city: string }) {
    WeatherService.calls.push(city);
    return { city, sky: 'sunny' };
  }

  @CopilotAction({ description: 'Current time' })
  getTime() {
    return '12:00';
  }
}

const llm = new LlmMock();
/** What the middleware saw, in the order it saw it. */
const seen: string[] = [];
const inputs: RunAgentInput[] = [];

const shout: MiddlewareFunction = (input, next) =>
  next
    .run(input)
    .pipe(map((event) => (event.type === EventType.TEXT_MESSAGE_CONTENT ? { ...event, delta: String(event.delta).toUpperCase() } : event)));

/** A Middleware subclass that records the input it is given and rewrites it for the next link. */
class ObserveInput extends Middleware {
  constructor(private readonly label: string) {
    super();
  }
  run(input: RunAgentInput, next: AbstractAgent): Observable<BaseEvent> {
    seen.push(this.label);
    inputs.push(input);
    return this.runNext({ ...input, context: [...input.context, { description: 'Seen by', value: this.label }] }, next);
  }
}

/** Breaks the sequence: text without its START/END, and no RUN_FINISHED. */
const breakSequence: MiddlewareFunction = (input, next) =>
  next
    .run(input)
    .pipe(filter((event) => ![EventType.TEXT_MESSAGE_START, EventType.TEXT_MESSAGE_END, EventType.RUN_FINISHED].includes(event.type)));

/** An AG-UI agent that keeps AbstractAgent's own clone(), so each request runs a copy. */
class EchoAgent extends AbstractAgent {
  static clones = 0;
  run(input: RunAgentInput): Observable<BaseEvent> {
    return textRun(input, `echo ${lastUserText(input)}`);
  }
  override clone(): EchoAgent {
    EchoAgent.clones++;
    return super.clone() as EchoAgent;
  }
}

@CopilotAgent({ name: 'classy', description: 'A BuiltInAgent class with middleware' })
class ClassyAgent extends BuiltInAgent {
  constructor() {
    super({ model: llm.adapter('openai'), instructions: 'Be classy.' });
    this.use(shout);
  }
}

@Module({ providers: [WeatherService, ClassyAgent] })
class AgentsModule {}

const agent = () => new BuiltInAgent({ model: llm.adapter('openai'), instructions: 'You are a test agent.' });
const textOf = (events: Array<Record<string, any>>) =>
  events
    .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
    .map((e) => e.delta)
    .join('');
const toolNames = (events: Array<Record<string, any>>) => events.filter((e) => e.type === 'TOOL_CALL_START').map((e) => e.toolCallName);

describe('AG-UI middleware of agents', () => {
  let server: TestApp;
  let factoryServer: TestApp;

  beforeAll(async () => {
    await llm.start();
    server = await startApp([
      AgentsModule,
      CopilotKitModule.forRoot({
        agents: {
          hidden: agent().use(new FilterToolCallsMiddleware({ disallowedToolCalls: ['getWeather'] })),
          allowed: agent().use(new FilterToolCallsMiddleware({ allowedToolCalls: ['getWeather'] })),
          chained: agent().use(new ObserveInput('outer'), shout, new ObserveInput('inner')),
          broken: agent().use(breakSequence),
          echo: new EchoAgent().use(shout),
        },
      }),
    ]);
    factoryServer = await startCopilotKit({ agents: () => ({ made: agent().use(shout) }) });
  });
  afterAll(async () => {
    await factoryServer?.close();
    await server?.close();
    await llm.stop();
  });
  beforeEach(() => {
    llm.reset();
    WeatherService.calls = [];
    seen.length = 0;
    inputs.length = 0;
    EchoAgent.clones = 0;
  });

  async function run(agentId: string, text: string, url = server.url) {
    const input = runInput({ text });
    const { events } = await postSse(`${url}/agent/${agentId}/run`, input);
    const replay = await postSse(`${url}/agent/${agentId}/connect`, { threadId: input.threadId });
    // The store keeps a run compacted (one content event per message), as connect replays it.
    return { input, events, stored: replay.events, sent: compactEvents(events as BaseEvent[]) };
  }

  function twoToolCalls() {
    llm.server.on(
      { userMessage: 'weather', hasToolResult: false },
      {
        toolCalls: [
          { id: 'call_w', name: 'getWeather', arguments: { city: 'Paris' } },
          { id: 'call_t', name: 'getTime', arguments: {} },
        ],
      },
    );
    llm.server.on({ userMessage: 'weather', hasToolResult: true }, { content: 'Sunny at noon.' });
  }

  it('filters disallowed tool calls from what the client and the store see; the actions still run', async () => {
    twoToolCalls();
    const { events, stored, sent } = await run('hidden', 'weather in Paris?');
    expect(WeatherService.calls).toEqual(['Paris']);
    expect(toolNames(events)).toEqual(['getTime']);
    expect(events.filter((e) => 'toolCallId' in e).every((e) => e.toolCallId === 'call_t')).toBe(true);
    expect(textOf(events)).toBe('Sunny at noon.');
    expect(stored).toEqual(sent);
  });

  it('keeps only the allowed tool calls', async () => {
    twoToolCalls();
    const { events, stored, sent } = await run('allowed', 'weather in Paris?');
    expect(toolNames(events)).toEqual(['getWeather']);
    expect(events.filter((e) => e.type === 'TOOL_CALL_RESULT').map((e) => e.toolCallId)).toEqual(['call_w']);
    expect(stored).toEqual(sent);
  });

  it('runs the chain in order, first added outermost, and the agent gets the input the chain passes on', async () => {
    llm.server.onMessage('hello', { content: 'Hello there, friend.' });
    const { input, events, stored, sent } = await run('chained', 'hello');
    expect(seen).toEqual(['outer', 'inner']);
    expect(inputs[0]).toMatchObject({ threadId: input.threadId, messages: [expect.objectContaining({ content: 'hello' })] });
    expect(inputs[1].context).toEqual([{ description: 'Seen by', value: 'outer' }]);
    expect(textOf(events)).toBe('HELLO THERE, FRIEND.');
    expect(events.filter((e) => e.type === 'TEXT_MESSAGE_CONTENT').length).toBeGreaterThan(1);
    expect(stored).toEqual(sent);
    const system = String(llm.requests()[0].body.messages[0].content);
    expect(system).toContain('outer');
    expect(system).toContain('inner');
  });

  it('passes the run context through the chain, so backend actions still run', async () => {
    llm.server.on(
      { userMessage: 'weather', hasToolResult: false },
      { toolCalls: [{ id: 'call_w', name: 'getWeather', arguments: { city: 'Rome' } }] },
    );
    llm.server.on({ userMessage: 'weather', hasToolResult: true }, { content: 'Sunny in Rome.' });
    const { events } = await run('chained', 'weather in Rome?');
    expect(WeatherService.calls).toEqual(['Rome']);
    expect(events.find((e) => e.type === 'TOOL_CALL_RESULT')?.content).toContain('sunny');
    expect(textOf(events)).toBe('SUNNY IN ROME.');
  });

  it('runs the middleware of a @CopilotAgent class', async () => {
    llm.server.onMessage('hi', { content: 'Good day.' });
    const { events, stored, sent } = await run('classy', 'hi');
    expect(textOf(events)).toBe('GOOD DAY.');
    expect(stored).toEqual(sent);
  });

  it('runs the middleware of agents from a factory', async () => {
    llm.server.onMessage('hi', { content: 'Made fresh.' });
    const { events, stored, sent } = await run('made', 'hi', factoryServer.url);
    expect(textOf(events)).toBe('MADE FRESH.');
    expect(stored).toEqual(sent);
  });

  it('keeps the middleware on the per-request clone of an AG-UI agent', async () => {
    const { events } = await run('echo', 'quiet please');
    expect(EchoAgent.clones).toBeGreaterThan(0);
    expect(textOf(events)).toBe('ECHO QUIET PLEASE');
  });

  it('guards what a middleware emits: a broken sequence still reaches the client as a valid stream', async () => {
    llm.server.onMessage('hello', { content: 'Broken but fine.' });
    const { events, stored, sent } = await run('broken', 'hello');
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('RUN_STARTED');
    // The guard leaves out text nothing opened, and ends a run that never finished with an error.
    expect(types).not.toContain('TEXT_MESSAGE_CONTENT');
    expect(events.at(-1)).toMatchObject({ type: 'RUN_ERROR', code: 'INCOMPLETE_STREAM' });
    await expect(lastValueFrom(from(events as BaseEvent[]).pipe(verifyEvents(false), toArray()))).resolves.toHaveLength(events.length);
    expect(stored).toEqual(sent);
  });
});

import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CopilotKitConfigurationError, CopilotKitModule } from '../../lib/index.js';
import { openUnreadStream, postSse, runInput } from '../fixtures/sse-client.js';
import { startCopilotKit, type TestApp } from '../fixtures/test-app.js';
import { AgentProbe, ScriptedAgent } from '../fixtures/test-agents.js';

/** A message as large as a photo the user attached: 8.8 MB of base64, in a body under the 10 MB default limit. */
const photo = (runIndex: number) => `data:image/png;base64,${String(runIndex).repeat(8 * 1024 * 1024 + 400_000)}`;

function largeInput(threadId?: string, runIndex = 0) {
  const input = runInput({ ...(threadId && { threadId }), text: `look at photo ${runIndex}` });
  input.messages.push({ id: `photo-${input.runId}`, role: 'user', content: photo(runIndex) });
  return input;
}

const count = (text: string, type: string) => text.split(`"type":"${type}"`).length - 1;

describe('a run whose input is as large as the body limit allows (the defaults)', () => {
  let server: TestApp;
  const probe = new AgentProbe();
  let warnings: string[] = [];

  beforeAll(async () => {
    server = await startCopilotKit({ agents: { echo: new ScriptedAgent(probe, { deltas: () => ['seen'] }) } });
  });
  beforeEach(() => {
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => server.close());

  const droppedAsNotReading = () => warnings.some((message) => message.includes('not reading'));

  it('streams to its end, and its thread replays, although RUN_STARTED carries the whole input in one event', async () => {
    const input = largeInput();
    expect(JSON.stringify(input).length).toBeGreaterThan(8 * 1024 * 1024);
    const run = await postSse(`${server.url}/agent/echo/run`, input);
    expect(run.status).toBe(200);
    expect(run.events.map((event) => event.type)).toEqual([
      'RUN_STARTED',
      'TEXT_MESSAGE_START',
      'TEXT_MESSAGE_CONTENT',
      'TEXT_MESSAGE_END',
      'RUN_FINISHED',
    ]);
    expect(run.events[0].input.messages.at(-1).content).toBe(photo(0));

    const replay = await postSse(`${server.url}/agent/echo/connect`, { threadId: input.threadId });
    expect(replay.events.at(-1)?.type).toBe('RUN_FINISHED');
    expect(replay.events[0].input.messages.at(-1).content).toBe(photo(0));
    expect(droppedAsNotReading()).toBe(false);
  });

  it('replays a thread of several such runs (more than maxBufferedBytes in all) to a client that reads, and to one that pauses', async () => {
    const first = largeInput(undefined, 1);
    for (const [index, input] of [
      first,
      largeInput(first.threadId, 2),
      largeInput(first.threadId, 3),
      largeInput(first.threadId, 4),
    ].entries()) {
      expect((await postSse(`${server.url}/agent/echo/run`, input)).events.at(-1)).toMatchObject({ type: 'RUN_FINISHED' });
      expect(index).toBeLessThan(4);
    }

    const replay = await postSse(`${server.url}/agent/echo/connect`, { threadId: first.threadId });
    expect(replay.body.length).toBeGreaterThan(32 * 1024 * 1024);
    expect(replay.events.filter((event) => event.type === 'RUN_FINISHED')).toHaveLength(4);
    expect(replay.events.filter((event) => event.type === 'RUN_STARTED').map((event) => event.input.messages.at(-1).content)).toEqual([
      photo(1),
      photo(2),
      photo(3),
      photo(4),
    ]);

    // A client that pauses is not taken for one that stopped reading.
    const paused = openUnreadStream(`${server.url}/agent/echo/connect`, { threadId: first.threadId });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    paused.resume();
    await Promise.race([paused.closed, waitUntil(() => count(paused.received, 'RUN_FINISHED') === 4)]);
    expect(count(paused.received, 'RUN_FINISHED')).toBe(4);
    expect(droppedAsNotReading()).toBe(false);
  }, 60_000);
});

async function waitUntil(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('refuses at boot a maxBufferedBytes that a run of the largest allowed body could never get through', async () => {
  const compile = () =>
    Test.createTestingModule({ imports: [CopilotKitModule.forRoot({ maxBufferedBytes: 1024 * 1024, bodyLimit: '2mb' })] }).compile();
  await expect(compile()).rejects.toThrow(CopilotKitConfigurationError);
  await expect(compile()).rejects.toThrow(/'maxBufferedBytes' \(1048576\) must be larger than 'bodyLimit' \(2097152 bytes\)/);
});

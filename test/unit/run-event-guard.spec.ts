import { verifyEvents } from '@ag-ui/client';
import { EventType, type BaseEvent } from '@ag-ui/core';
import { from, lastValueFrom, toArray } from 'rxjs';
import { RunEventGuard, type DroppedEventReason } from '../../lib/protocol/run-event-guard.js';
import { runInput } from '../fixtures/sse-client.js';

type Loose = BaseEvent & Record<string, any>;

function guarded(feed: (guard: RunEventGuard) => void) {
  const input = runInput({ threadId: 't', runId: 'r' });
  const events: Loose[] = [];
  const drops: DroppedEventReason[] = [];
  const guard = new RunEventGuard({
    threadId: 't',
    runId: 'r',
    input,
    emit: (event) => events.push(event as Loose),
    onDrop: (reason) => drops.push(reason),
  });
  feed(guard);
  return { events, drops, input, types: events.map((e) => e.type) };
}

/** The official client's own verifier is the oracle: it must accept every guarded stream. */
async function clientAccepts(events: BaseEvent[]): Promise<void> {
  await lastValueFrom(from(events).pipe(verifyEvents(false), toArray()));
}

const e = (type: string, fields: Record<string, unknown> = {}) => ({ type, ...fields });

describe('RunEventGuard', () => {
  it('has an oracle that does reject a broken stream', async () => {
    const unguarded = [
      e('RUN_STARTED', { threadId: 't', runId: 'r' }),
      e('TEXT_MESSAGE_START', { messageId: 'm' }),
      e('RUN_FINISHED', { threadId: 't', runId: 'r' }),
    ];
    await expect(clientAccepts(unguarded as BaseEvent[])).rejects.toThrow(/text messages are still active/);
  });

  it('passes a well-formed run through unchanged, adding the input to RUN_STARTED', async () => {
    const { events, drops, input } = guarded((g) => {
      g.accept(e('RUN_STARTED', { threadId: 't', runId: 'r' }));
      g.accept(e('TEXT_MESSAGE_START', { messageId: 'm', role: 'assistant' }));
      g.accept(e('TEXT_MESSAGE_CONTENT', { messageId: 'm', delta: 'hi' }));
      g.accept(e('TEXT_MESSAGE_END', { messageId: 'm' }));
      g.accept(e('RUN_FINISHED', { threadId: 't', runId: 'r' }));
    });
    expect(events).toEqual([
      { type: 'RUN_STARTED', threadId: 't', runId: 'r', input },
      e('TEXT_MESSAGE_START', { messageId: 'm', role: 'assistant' }),
      e('TEXT_MESSAGE_CONTENT', { messageId: 'm', delta: 'hi' }),
      e('TEXT_MESSAGE_END', { messageId: 'm' }),
      { type: 'RUN_FINISHED', threadId: 't', runId: 'r' },
    ]);
    expect(drops).toEqual([]);
    await clientAccepts(events);
  });

  it('opens the run itself when the agent forgets RUN_STARTED', async () => {
    const { types } = guarded((g) => {
      g.accept(e('STATE_SNAPSHOT', { snapshot: null }));
      g.accept(e('RUN_FINISHED'));
    });
    expect(types).toEqual(['RUN_STARTED', 'STATE_SNAPSHOT', 'RUN_FINISHED']);
  });

  it('puts the run ids on terminal events and sends nothing after them', async () => {
    const { events, drops } = guarded((g) => {
      g.accept(e('RUN_STARTED', { threadId: 'other', runId: 'other' }));
      g.accept(e('RUN_FINISHED', { threadId: null, result: null }));
      g.accept(e('CUSTOM', { name: 'late', value: 1 }));
      g.accept(e('RUN_FINISHED'));
    });
    expect(events[0]).toMatchObject({ threadId: 't', runId: 'r' });
    expect(events.at(-1)).toEqual({ type: 'RUN_FINISHED', threadId: 't', runId: 'r' });
    expect(events).toHaveLength(2);
    expect(drops).toEqual(['after-terminal', 'after-terminal']);
  });

  it('removes nulls from optional fields, keeps meaningful ones, and rounds timestamps', () => {
    const { events } = guarded((g) => {
      g.accept(e('TEXT_MESSAGE_START', { messageId: 'm', name: null, timestamp: 10.6, metadata: null }));
      g.accept(e('CUSTOM', { name: 'c', value: null }));
      g.accept(e('MESSAGES_SNAPSHOT', { messages: [{ id: 'a', role: 'assistant', content: null }] }));
    });
    expect(events[1]).toEqual({ type: 'TEXT_MESSAGE_START', messageId: 'm', timestamp: 11 });
    expect(events[2]).toEqual({ type: 'CUSTOM', name: 'c', value: null });
    expect(events[3].messages).toEqual([{ id: 'a', role: 'assistant' }]);
  });

  it('expands chunks into explicit START/CONTENT/END, as the client would', async () => {
    const { events } = guarded((g) => {
      g.accept(e('TEXT_MESSAGE_CHUNK', { messageId: 'm', delta: 'He' }));
      g.accept(e('TEXT_MESSAGE_CHUNK', { delta: 'llo' }));
      g.accept(e('TOOL_CALL_CHUNK', { toolCallId: 'c', toolCallName: 'f', parentMessageId: 'm', delta: '{}' }));
      g.accept(e('RUN_FINISHED'));
    });
    expect(events.slice(1)).toEqual([
      e('TEXT_MESSAGE_START', { messageId: 'm', role: 'assistant' }),
      e('TEXT_MESSAGE_CONTENT', { messageId: 'm', delta: 'He' }),
      e('TEXT_MESSAGE_CONTENT', { messageId: 'm', delta: 'llo' }),
      e('TEXT_MESSAGE_END', { messageId: 'm' }),
      e('TOOL_CALL_START', { toolCallId: 'c', toolCallName: 'f', parentMessageId: 'm' }),
      e('TOOL_CALL_ARGS', { toolCallId: 'c', delta: '{}' }),
      e('TOOL_CALL_END', { toolCallId: 'c' }),
      { type: 'RUN_FINISHED', threadId: 't', runId: 'r' },
    ]);
    await clientAccepts(events);
  });

  it('drops events the verifier would reject: content for closed ids, duplicate starts, unknown types', async () => {
    const { types, drops, events } = guarded((g) => {
      g.accept(e('TEXT_MESSAGE_START', { messageId: 'm' }));
      g.accept(e('TEXT_MESSAGE_START', { messageId: 'm' }));
      g.accept(e('TEXT_MESSAGE_END', { messageId: 'm' }));
      g.accept(e('TEXT_MESSAGE_CONTENT', { messageId: 'm', delta: 'late' }));
      g.accept(e('TOOL_CALL_END', { toolCallId: 'never' }));
      g.accept(e('THINKING_START'));
      g.accept(e('SOMETHING_NEW'));
      g.accept('not an event');
      g.accept(e('RUN_STARTED', { threadId: 't', runId: 'r' }));
      g.accept(e('RUN_FINISHED'));
    });
    expect(types).toEqual(['RUN_STARTED', 'TEXT_MESSAGE_START', 'TEXT_MESSAGE_END', 'RUN_FINISHED']);
    expect(drops).toEqual(['already-open', 'not-open', 'not-open', 'unknown-type', 'unknown-type', 'malformed', 'duplicate-run-started']);
    await clientAccepts(events);
  });

  it('closes every open construct before RUN_FINISHED, innermost first', async () => {
    const { types, events } = guarded((g) => {
      g.accept(e('STEP_STARTED', { stepName: 's' }));
      g.accept(e('REASONING_START', { messageId: 'rs' }));
      g.accept(e('REASONING_MESSAGE_START', { messageId: 'rm' }));
      g.accept(e('TEXT_MESSAGE_START', { messageId: 'm' }));
      g.accept(e('TOOL_CALL_START', { toolCallId: 'c', toolCallName: 'f' }));
      g.accept(e('RUN_FINISHED'));
    });
    expect(types.slice(6)).toEqual([
      'REASONING_MESSAGE_END',
      'REASONING_END',
      'TEXT_MESSAGE_END',
      'TOOL_CALL_END',
      'STEP_FINISHED',
      'RUN_FINISHED',
    ]);
    expect(events.find((x) => x.type === 'REASONING_MESSAGE_START')?.role).toBe('reasoning');
    await clientAccepts(events);
  });

  it.each([
    ['stopped', 'RUN_FINISHED', 'stopped'],
    ['failed', 'RUN_ERROR', 'error'],
    ['completed', 'RUN_ERROR', 'error'],
  ] as const)('ends a %s run with %s and gives cut-off tool calls a result', async (reason, terminal, status) => {
    const { events } = guarded((g) => {
      g.accept(e('TOOL_CALL_START', { toolCallId: 'c', toolCallName: 'f' }));
      g.accept(e('TOOL_CALL_ARGS', { toolCallId: 'c', delta: '{"a"' }));
      g.end(reason);
      g.end('failed');
    });
    expect(events.slice(3).map((x) => x.type)).toEqual(['TOOL_CALL_END', 'TOOL_CALL_RESULT', terminal]);
    expect(JSON.parse(events[4].content)).toMatchObject({ status });
    expect(events[4]).toMatchObject({ toolCallId: 'c', messageId: 'c-result', role: 'tool' });
    if (terminal === 'RUN_FINISHED') expect(events.at(-1)).toEqual({ type: 'RUN_FINISHED', threadId: 't', runId: 'r' });
    else expect(events.at(-1)).toMatchObject({ code: reason === 'completed' ? 'INCOMPLETE_STREAM' : 'AGENT_ERROR' });
    await clientAccepts(events);
  });

  it('gives a run that failed before emitting anything a RUN_STARTED with its input, then RUN_ERROR', () => {
    const { types, events } = guarded((g) => g.end('failed', 'Upstream unavailable'));
    expect(types).toEqual(['RUN_STARTED', 'RUN_ERROR']);
    expect(events[1]).toEqual({ type: 'RUN_ERROR', message: 'Upstream unavailable', code: 'AGENT_ERROR' });
  });

  it('makes TOOL_CALL_RESULT content a string with a message id', () => {
    const { events } = guarded((g) => g.accept(e('TOOL_CALL_RESULT', { toolCallId: 'c', content: { n: 1 } })));
    expect(events[1]).toEqual({ type: EventType.TOOL_CALL_RESULT, toolCallId: 'c', content: '{"n":1}', messageId: expect.any(String) });
  });
});

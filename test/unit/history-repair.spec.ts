import type { Message } from '@ag-ui/core';
import { repairHistory } from '../../lib/agents/history-repair.js';
import { toAnthropicRequest } from '../../lib/agents/adapters/anthropic-messages.js';
import { toOpenAIMessages } from '../../lib/agents/adapters/openai-messages.js';

const call = (id: string, name = 'lookup', args = '{"q":1}') => ({ id, type: 'function' as const, function: { name, arguments: args } });

describe('repairHistory', () => {
  it('leaves a valid history as it is', () => {
    const history: Message[] = [
      { id: 'u1', role: 'user', content: 'hi' },
      { id: 'a1', role: 'assistant', content: 'let me look', toolCalls: [call('c1')] },
      { id: 't1', role: 'tool', toolCallId: 'c1', content: 'found' },
      { id: 'a2', role: 'assistant', content: 'done' },
    ];
    expect(repairHistory(history)).toEqual(history);
  });

  it('drops orphan results, answers unanswered calls, and moves late results into place', () => {
    const repaired = repairHistory([
      { id: 'x', role: 'tool', toolCallId: 'nobody', content: 'orphan' },
      { id: 'u1', role: 'user', content: 'hi' },
      { id: 'a1', role: 'assistant', toolCalls: [call('c1'), call('c2')] },
      { id: 'u2', role: 'user', content: 'and?' },
      { id: 't2', role: 'tool', toolCallId: 'c2', content: 'late' },
      { id: 'a0', role: 'assistant', content: '' },
      { id: 'act', role: 'activity', activityType: 'PLAN', content: {} },
    ] as Message[]);
    expect(repairHistory(repaired)).toEqual(repaired);
    expect(repaired.map((m) => m.id)).toEqual(['u1', 'a1', 'c1-unanswered', 't2', 'u2']);
    expect(JSON.parse((repaired[2] as { content: string }).content)).toMatchObject({ status: 'no_result' });
  });
});

describe('provider message conversion', () => {
  const history: Message[] = [
    { id: 's', role: 'system', content: 'Be brief.' },
    { id: 'd', role: 'developer', content: 'Use metric units.' },
    {
      id: 'u1',
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image', source: { type: 'data', value: 'aGk=', mimeType: 'image/png' } },
        { type: 'document', source: { type: 'url', value: 'https://example.test/a.pdf', mimeType: 'application/pdf' } },
      ],
    },
    { id: 'r', role: 'reasoning', content: 'thinking...', encryptedValue: 'sig' },
    { id: 'a1', role: 'assistant', content: 'Checking.', toolCalls: [call('c1'), call('c2', 'other', 'not json')] },
    { id: 't1', role: 'tool', toolCallId: 'c1', content: 'one' },
    { id: 't2', role: 'tool', toolCallId: 'c2', content: 'two', error: 'timeout' },
    { id: 'u2', role: 'user', content: 'thanks' },
  ] as Message[];

  it('gives OpenAI system, multimodal user, assistant tool calls and tool messages', () => {
    const messages = toOpenAIMessages('Instructions', history);
    expect(messages.map((m) => m.role)).toEqual(['system', 'system', 'system', 'user', 'assistant', 'tool', 'tool', 'user']);
    expect(messages[3].content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,aGk=' } },
      { type: 'text', text: '[document: https://example.test/a.pdf]' },
    ]);
    expect(messages[4]).toEqual({
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } },
        { id: 'c2', type: 'function', function: { name: 'other', arguments: 'not json' } },
      ],
    });
    expect(messages[6]).toEqual({ role: 'tool', tool_call_id: 'c2', content: 'Error: timeout\ntwo' });
  });

  it('gives Anthropic a system prompt, alternating turns, signed thinking, and tool_result blocks', () => {
    const { system, messages } = toAnthropicRequest('Instructions', history);
    expect(system).toBe('Instructions\n\nBe brief.\n\nUse metric units.');
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[0].content[1]).toEqual({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'aGk=' } });
    expect(messages[1].content).toEqual([
      { type: 'thinking', thinking: 'thinking...', signature: 'sig' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'c1', name: 'lookup', input: { q: 1 } },
      { type: 'tool_use', id: 'c2', name: 'other', input: {} },
    ]);
    expect(messages[2].content).toEqual([
      { type: 'tool_result', tool_use_id: 'c1', content: 'one' },
      { type: 'tool_result', tool_use_id: 'c2', content: 'Error: timeout\ntwo', is_error: true },
      { type: 'text', text: 'thanks' },
    ]);
  });

  it('starts an Anthropic conversation with a user turn', () => {
    const { messages } = toAnthropicRequest(undefined, [{ id: 'a', role: 'assistant', content: 'Hello!' }]);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  });
});

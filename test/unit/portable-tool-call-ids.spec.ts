import type { Message } from '@ag-ui/core';
import { toAnthropicRequest } from '../../lib/agents/adapters/anthropic-messages.js';
import { toToolCallId } from '../../lib/agents/adapters/google-messages.js';
import { toOpenAIMessages } from '../../lib/agents/adapters/openai-messages.js';
import { toResponsesInput } from '../../lib/agents/adapters/openai-responses-messages.js';

/**
 * A thread whose first turn ran on Gemini (its call ids carry the thought signature) continued on
 * OpenAI or Anthropic: both refuse ids outside `[A-Za-z0-9_-]` (Anthropic) or over 40 characters
 * (OpenAI's Chat Completions), so the converters send a stand-in, the same for a call and its result.
 */
const geminiId = toToolCallId('fc-1', 'CiQBcsjafP4y+aB/fXk6rWfJ2hMZ0o9f0Qn1nG0u7gGZ8w3yEf0='.repeat(8), () => 'unused');
const openAIId = 'call_Xk2m9QeY1bT7sLpR4vZ8';
const conversation = (ids: string[]): Message[] => [
  { id: 'u1', role: 'user', content: 'weather in Paris and Rome?' },
  {
    id: 'a1',
    role: 'assistant',
    toolCalls: ids.map((id, i) => ({ id, type: 'function', function: { name: 'getWeather', arguments: `{"city":"${i}"}` } })),
  },
  ...ids.map((id, i): Message => ({ id: `t${i}`, role: 'tool', toolCallId: id, content: 'sunny' })),
];
const PORTABLE = /^[A-Za-z0-9_-]{1,40}$/;

describe('tool call ids from another provider', () => {
  it('go to OpenAI Chat Completions as short ids, each call paired with its result', () => {
    const messages = toOpenAIMessages(undefined, conversation([geminiId, openAIId]));
    const calls = (messages[1].tool_calls as Array<{ id: string }>).map((call) => call.id);
    const results = messages.slice(2).map((message) => message.tool_call_id);

    expect(calls[1]).toBe(openAIId);
    expect(calls[0]).not.toBe(geminiId);
    expect(calls.every((id) => PORTABLE.test(id))).toBe(true);
    expect(results).toEqual(calls);
  });

  it('go to Anthropic as ids of its characters, each tool_use paired with its tool_result', () => {
    const { messages } = toAnthropicRequest(undefined, conversation([geminiId, openAIId]));
    const uses = messages[1].content.filter((block) => block.type === 'tool_use').map((block) => block.id as string);
    const results = messages[2].content.filter((block) => block.type === 'tool_result').map((block) => block.tool_use_id);

    expect(uses[1]).toBe(openAIId);
    expect(uses.every((id) => PORTABLE.test(id))).toBe(true);
    expect(results).toEqual(uses);
  });

  it('go to the Responses API the same way, and stay the same from one request to the next', () => {
    const first = toResponsesInput(conversation([geminiId]));
    const again = toResponsesInput(conversation([geminiId]));
    const call = first.find((item) => item.type === 'function_call')!;
    const output = first.find((item) => item.type === 'function_call_output')!;

    expect(PORTABLE.test(call.call_id as string)).toBe(true);
    expect(output.call_id).toBe(call.call_id);
    expect(again.find((item) => item.type === 'function_call')!.call_id).toBe(call.call_id);
    expect(toResponsesInput(conversation([`${geminiId}x`])).find((item) => item.type === 'function_call')!.call_id).not.toBe(call.call_id);
  });
});

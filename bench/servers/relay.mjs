// The relay both reference servers run: each chunk of the model's stream, read through the openai
// SDK, re-emitted as an AG-UI event, with the one backend tool run in between. No validation, no
// history. floor.mjs serves it from bare node:http, nest-sse.mjs from a bare Nest @Sse() route.
import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: `${process.env.LLM_URL}/v1`, apiKey: 'bench', maxRetries: 0 });
const tools = [
  {
    type: 'function',
    function: {
      name: 'getWeather',
      description: 'Current weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

/** Sends a run's events for `input` (a parsed RunAgentInput) through `send`, one AG-UI event a call. */
export async function relay(input, send) {
  send({ type: 'RUN_STARTED', threadId: input.threadId, runId: input.runId });
  const messages = input.messages.map((m) => ({ role: m.role, content: m.content }));
  for (let step = 0; step < 3; step++) {
    const messageId = randomUUID();
    let open = false;
    const calls = [];
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools, stream: true });
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      if (delta?.content) {
        if (!open) send({ type: 'TEXT_MESSAGE_START', messageId, role: 'assistant' });
        open = true;
        send({ type: 'TEXT_MESSAGE_CONTENT', messageId, delta: delta.content });
      }
      for (const call of delta?.tool_calls ?? []) {
        if (call.id) calls[call.index] = { id: call.id, name: call.function.name, args: '' };
        if (call.function?.arguments) calls[call.index].args += call.function.arguments;
      }
    }
    if (open) send({ type: 'TEXT_MESSAGE_END', messageId });
    if (calls.length === 0) break;
    messages.push({
      role: 'assistant',
      tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.args } })),
    });
    for (const call of calls) {
      send({ type: 'TOOL_CALL_START', toolCallId: call.id, toolCallName: call.name, parentMessageId: messageId });
      send({ type: 'TOOL_CALL_ARGS', toolCallId: call.id, delta: call.args });
      send({ type: 'TOOL_CALL_END', toolCallId: call.id });
      const content = JSON.stringify({ city: JSON.parse(call.args).city, sky: 'sunny', celsius: 21 });
      send({ type: 'TOOL_CALL_RESULT', messageId: randomUUID(), toolCallId: call.id, content });
      messages.push({ role: 'tool', tool_call_id: call.id, content });
    }
  }
  send({ type: 'RUN_FINISHED', threadId: input.threadId, runId: input.runId });
}

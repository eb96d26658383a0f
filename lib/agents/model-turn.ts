import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { EventType, type AssistantMessage, type BaseEvent, type ReasoningMessage, type TokenUsage } from '@ag-ui/core';
import type { ModelAdapter, ModelRequest } from './adapters/model-adapter.interface.js';
import { inSpan, usageAttributes } from '../observability/telemetry.js';
import { classifyUpstreamError, retryDelay, sleep, type RetryPolicy, type UpstreamFailure } from './upstream-error.js';
import { MODEL_CALL_FAILED, STREAM_WITHOUT_FINISH_REASON } from './agents.messages.js';

export interface ToolCallRequest {
  id: string;
  name: string;
  args: string;
}

/** One model call, as the conversation will remember it. */
export interface TurnOutcome {
  assistant: AssistantMessage;
  reasoning: ReasoningMessage | undefined;
  toolCalls: ToolCallRequest[];
  usage: TokenUsage[];
  /** Set when the provider failed; the events streamed so far are closed. */
  failure?: UpstreamFailure;
}

export interface TurnOptions {
  retry: RetryPolicy;
  exposeReasoning: boolean;
}

const logger = new Logger('BuiltInAgent');

class IncompleteStreamError extends Error {
  override readonly name = 'IncompleteStreamError';

  constructor() {
    super(STREAM_WITHOUT_FINISH_REASON);
  }
}

/**
 * Streams one model call as AG-UI events, as the tokens arrive: text as one assistant message,
 * reasoning as a reasoning message, tool calls (several may be open at once) with the assistant
 * message as their parent. A 429, 5xx or connection failure before anything was streamed is
 * retried with backoff; after that, the turn ends with the failure and the caller reports it.
 */
export function streamModelTurn(
  adapter: ModelAdapter,
  request: ModelRequest,
  emit: (event: BaseEvent) => void,
  options: TurnOptions,
): Promise<TurnOutcome> {
  // Named and described after OpenTelemetry's GenAI conventions, so tracing backends chart it.
  return inSpan(
    'copilotkit.llm',
    { 'gen_ai.system': adapter.provider, 'gen_ai.request.model': adapter.model },
    () => streamTurn(adapter, request, emit, options),
    (outcome) => ({
      attributes: { ...usageAttributes(outcome.usage), 'gen_ai.response.tool_calls': outcome.toolCalls.length },
      error: outcome.failure?.code,
    }),
  );
}

async function streamTurn(
  adapter: ModelAdapter,
  request: ModelRequest,
  emit: (event: BaseEvent) => void,
  options: TurnOptions,
): Promise<TurnOutcome> {
  const messageId = randomUUID();
  const reasoningId = randomUUID();
  let text = '';
  let reasoning = '';
  let signature: string | undefined;
  let textOpen = false;
  let reasoningOpen = false;
  const calls = new Map<number, ToolCallRequest & { open: boolean }>();
  const usage: TokenUsage[] = [];
  let streamed = false;
  let finished = false;

  const closeReasoning = () => {
    if (!reasoningOpen) return;
    reasoningOpen = false;
    emit({ type: EventType.REASONING_MESSAGE_END, messageId: reasoningId } as BaseEvent);
    emit({ type: EventType.REASONING_END, messageId: reasoningId } as BaseEvent);
  };
  const closeText = () => {
    if (!textOpen) return;
    textOpen = false;
    emit({ type: EventType.TEXT_MESSAGE_END, messageId } as BaseEvent);
  };
  const closeAll = () => {
    closeReasoning();
    closeText();
    for (const call of calls.values()) {
      if (call.open) emit({ type: EventType.TOOL_CALL_END, toolCallId: call.id } as BaseEvent);
      call.open = false;
    }
  };

  let failure: UpstreamFailure | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      for await (const part of adapter.stream(request)) {
        if (request.signal.aborted) break;
        if (part.type !== 'usage' && part.type !== 'finish') streamed = true;
        switch (part.type) {
          case 'text':
            closeReasoning();
            if (!textOpen) emit({ type: EventType.TEXT_MESSAGE_START, messageId, role: 'assistant' } as BaseEvent);
            textOpen = true;
            text += part.delta;
            emit({ type: EventType.TEXT_MESSAGE_CONTENT, messageId, delta: part.delta } as BaseEvent);
            break;
          case 'reasoning':
            reasoning += part.delta;
            if (!options.exposeReasoning) break;
            if (!reasoningOpen) {
              emit({ type: EventType.REASONING_START, messageId: reasoningId } as BaseEvent);
              emit({ type: EventType.REASONING_MESSAGE_START, messageId: reasoningId, role: 'reasoning' } as BaseEvent);
            }
            reasoningOpen = true;
            emit({ type: EventType.REASONING_MESSAGE_CONTENT, messageId: reasoningId, delta: part.delta } as BaseEvent);
            break;
          case 'reasoning-signature':
            // Anthropic needs the signed thinking back to continue after a tool call; the client
            // keeps it on the reasoning message, so the next run can send it.
            signature = (signature ?? '') + part.signature;
            if (options.exposeReasoning && reasoning) {
              emit({
                type: EventType.REASONING_ENCRYPTED_VALUE,
                subtype: 'message',
                entityId: reasoningId,
                encryptedValue: signature,
              } as BaseEvent);
            }
            break;
          case 'tool-call':
            closeReasoning();
            closeText();
            calls.set(part.index, { id: part.id, name: part.name, args: '', open: true });
            emit({
              type: EventType.TOOL_CALL_START,
              toolCallId: part.id,
              toolCallName: part.name,
              parentMessageId: messageId,
            } as BaseEvent);
            break;
          case 'tool-call-delta': {
            const call = calls.get(part.index);
            if (!call) break;
            call.args += part.delta;
            emit({ type: EventType.TOOL_CALL_ARGS, toolCallId: call.id, delta: part.delta } as BaseEvent);
            break;
          }
          case 'usage':
            usage.push(part.usage);
            break;
          case 'finish':
            finished = true;
            break;
        }
      }
      // A stream that ends without saying why was cut off (or was not a stream at all).
      if (!finished && !request.signal.aborted) throw new IncompleteStreamError();
      break;
    } catch (error) {
      if (request.signal.aborted) break;
      failure = classifyUpstreamError(error, adapter.provider);
      logger.warn(MODEL_CALL_FAILED(adapter.provider, failure.code, attempt + 1, error instanceof Error ? error.message : String(error)));
      if (streamed || !failure.retryable || attempt >= options.retry.retries) break;
      await sleep(retryDelay(options.retry, attempt, failure), request.signal);
      if (request.signal.aborted) break;
      failure = undefined;
    }
  }
  closeAll();

  const toolCalls = [...calls.values()].map(({ id, name, args }) => ({ id, name, args }));
  return {
    assistant: {
      id: messageId,
      role: 'assistant',
      ...(text && { content: text }),
      ...(toolCalls.length > 0 && {
        toolCalls: toolCalls.map((call) => ({
          id: call.id,
          type: 'function' as const,
          function: { name: call.name, arguments: call.args },
        })),
      }),
    },
    // Kept when signed even without text: a provider may return encrypted reasoning with an empty
    // summary, and needs it back on the next call of the run.
    reasoning:
      reasoning || signature
        ? { id: reasoningId, role: 'reasoning', content: reasoning, ...(signature && { encryptedValue: signature }) }
        : undefined,
    toolCalls,
    usage,
    failure,
  };
}

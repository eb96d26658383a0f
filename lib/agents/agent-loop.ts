import { randomUUID } from 'node:crypto';
import { EventType, type BaseEvent, type Interrupt, type Message, type RunAgentInput, type TokenUsage } from '@ag-ui/core';
import { answerApprovals, withApprovalResults } from './approval-resume.js';
import type { ActionDescriptor, CopilotRunContext } from '../interfaces/copilot-run-context.interface.js';
import type { ModelAdapter, ModelSettings, ModelTool } from './adapters/model-adapter.interface.js';
import { repairHistory } from './history-repair.js';
import type { McpRunTools } from './mcp/mcp-run-tools.js';
import { streamModelTurn, type ToolCallRequest, type TurnOptions } from './model-turn.js';
import { offersStateTools, RunState, STATE_TOOLS } from './state-tools.js';
import { buildSystemPrompt } from './system-prompt.js';
import { requestedToolChoice } from './tool-choice.js';
import { UNKNOWN_TOOL } from './agents.messages.js';

export interface AgentLoopParams {
  input: RunAgentInput;
  context: CopilotRunContext | undefined;
  adapter: ModelAdapter;
  settings: ModelSettings;
  instructions: string | undefined;
  maxSteps: number;
  allowedActions: string[] | false | undefined;
  /** Offer AGUISendStateSnapshot / AGUISendStateDelta: see `BuiltInAgentOptions.stateTools`. */
  stateTools: boolean | undefined;
  turn: TurnOptions;
  signal: AbortSignal;
  emit: (event: BaseEvent) => void;
  /** Opens this run's MCP tools, given the names of the actions offered (which win over them). */
  mcp?: (actionNames: ReadonlySet<string>) => Promise<McpRunTools>;
}

const EMPTY_OBJECT_SCHEMA = { type: 'object', properties: {} };

/**
 * One run of the built-in agent: call the model; run the backend actions it asked for on the
 * server (and apply its changes to the shared state) and call it again with their results, up to
 * `maxSteps`; stop as soon as it asks for a frontend tool (the browser runs it and starts the next
 * run with the result). Resolves with the usage of every model call, or undefined when the run
 * was stopped.
 */
export async function runAgentLoop(params: AgentLoopParams): Promise<TokenUsage[] | undefined> {
  const { input, context, adapter, signal, emit } = params;
  const { threadId, runId } = input;
  emit({ type: EventType.RUN_STARTED, threadId, runId } as BaseEvent);

  const actions = await offeredActions(context, params.allowedActions);
  const mcp = await params.mcp?.(new Set(actions.map((action) => action.name)));
  const backend = new Set([...actions, ...(mcp?.tools ?? [])].map((tool) => tool.name));
  const frontend = new Set(input.tools.map((tool) => tool.name).filter((name) => !backend.has(name)));
  // A backend action or frontend tool of the same name keeps it: the app named it on purpose.
  const stateTools = offersStateTools(params.stateTools, input.state)
    ? STATE_TOOLS.filter((tool) => !backend.has(tool.name) && !frontend.has(tool.name))
    : [];
  const state = new RunState(input.state, new Set(stateTools.map((tool) => tool.name)));
  const tools: ModelTool[] = [
    ...actions,
    ...(mcp?.tools ?? []),
    ...input.tools
      .filter((tool) => frontend.has(tool.name))
      .map((tool) => ({
        name: tool.name,
        description: tool.description,
        parameters: (tool.parameters as ModelTool['parameters']) ?? EMPTY_OBJECT_SCHEMA,
      })),
    ...stateTools,
  ];
  const promptFor = () =>
    stateTools.length > 0
      ? buildSystemPrompt(params.instructions, input.context, state.state, true)
      : buildSystemPrompt(params.instructions, input.context, input.state);
  let system = promptFor();
  let promptedVersion = state.version;
  const approved = await answerApprovals(context, emit);
  const history: Message[] = repairHistory(withApprovalResults(input.messages, approved));
  const usage: TokenUsage[] = [];
  const requested = requestedToolChoice(input.forwardedProps, tools);

  for (let step = 1; ; step++) {
    // A forced choice holds for the first call only: forcing it again after the tool answered
    // would have the model call it once per step until maxSteps.
    const toolChoice = step === 1 || requested === 'none' ? requested : undefined;
    // The model sees the state as its own changes left it.
    if (state.version !== promptedVersion) {
      system = promptFor();
      promptedVersion = state.version;
    }
    const request = { system, messages: history, tools, settings: params.settings, toolChoice, signal };
    const turn = await streamModelTurn(adapter, request, emit, params.turn);
    usage.push(...turn.usage);
    if (signal.aborted) return undefined;
    if (turn.failure) {
      emit({
        type: EventType.RUN_ERROR,
        message: turn.failure.message,
        code: turn.failure.code,
        ...(usage.length > 0 && { usage }),
      } as BaseEvent);
      return usage;
    }
    if (turn.reasoning) history.push(turn.reasoning);
    history.push(turn.assistant);

    const forBrowser = turn.toolCalls.filter((call) => frontend.has(call.name));
    // State changes are applied at once and in the order the model made them, each to the state the
    // one before left; the events go out with their result, after the tool calls are closed.
    const results = await Promise.all(
      turn.toolCalls
        .filter((call) => !frontend.has(call.name))
        .map((call) => {
          if (state.handles(call.name)) {
            const { events, result } = state.answer(call);
            return { ...result, events, interrupt: undefined };
          }
          return mcp?.has(call.name) ? mcp.answer(call) : answer(call, backend, context);
        }),
    );
    if (signal.aborted) return undefined;
    const interrupts: Interrupt[] = [];
    for (const { interrupt, ...answered } of results) {
      // A call waiting for approval has no result yet: the run pauses on it instead.
      if (interrupt) {
        interrupts.push(interrupt);
        continue;
      }
      const { events, ...result } = answered as typeof answered & { events?: BaseEvent[] };
      for (const event of events ?? []) emit(event);
      emit({
        type: EventType.TOOL_CALL_RESULT,
        messageId: result.id,
        toolCallId: result.toolCallId,
        role: 'tool',
        content: result.content,
      } as BaseEvent);
      history.push(result);
    }
    if (interrupts.length > 0) {
      emit({
        type: EventType.RUN_FINISHED,
        threadId,
        runId,
        outcome: { type: 'interrupt', interrupts },
        ...(usage.length > 0 && { usage }),
      } as BaseEvent);
      return usage;
    }
    const done = forBrowser.length > 0 || results.length === 0 || step >= params.maxSteps;
    if (done) break;
  }
  emit({ type: EventType.RUN_FINISHED, threadId, runId, ...(usage.length > 0 && { usage }) } as BaseEvent);
  return usage;
}

async function offeredActions(context: CopilotRunContext | undefined, allowed: string[] | false | undefined): Promise<ActionDescriptor[]> {
  if (!context || allowed === false) return [];
  const actions = await context.actions.list();
  return allowed ? actions.filter((action) => allowed.includes(action.name)) : actions;
}

/**
 * Runs a backend action, or answers a call to a tool that does not exist (a model's invention):
 * every call gets a result, so the next request to the provider is valid.
 */
async function answer(call: ToolCallRequest, backend: Set<string>, context: CopilotRunContext | undefined) {
  const result = backend.has(call.name)
    ? await context!.actions.call(call.name, call.args, { toolCallId: call.id })
    : {
        content: JSON.stringify({ error: 'unknown_tool', message: UNKNOWN_TOOL(call.name) }),
      };
  return {
    id: randomUUID(),
    role: 'tool' as const,
    toolCallId: call.id,
    content: result.content,
    interrupt: 'interrupt' in result ? result.interrupt : undefined,
  };
}

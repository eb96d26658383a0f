import { randomUUID } from 'node:crypto';
import { EventType, type BaseEvent, type ToolMessage } from '@ag-ui/core';
// The patch library the AG-UI clients apply STATE_DELTA with: a patch that applies here applies there.
import jsonPatch, { type Operation } from 'fast-json-patch';
import type { ModelTool } from './adapters/model-adapter.interface.js';
import type { ToolCallRequest } from './model-turn.js';
import {
  STATE_ARGUMENTS_NOT_JSON,
  STATE_DELTA_NOT_A_LIST,
  STATE_NOT_AN_OBJECT,
  STATE_OPERATION_INVALID,
  STATE_PATCH_FAILED,
  STATE_SNAPSHOT_NOT_AN_OBJECT,
} from './agents.messages.js';

/** The official BuiltInAgent's names, so prompts and models written for it work here. */
export const STATE_SNAPSHOT_TOOL = 'AGUISendStateSnapshot';
export const STATE_DELTA_TOOL = 'AGUISendStateDelta';

/** A JSON Pointer (RFC 6901) as the AG-UI 1.0 schema of STATE_DELTA checks it. */
const POINTER = /^(\/([^/~]|~[01])*)*$/;
const OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;
type PatchOp = (typeof OPS)[number];
const NEEDS_VALUE = new Set<PatchOp>(['add', 'replace', 'test']);
const NEEDS_FROM = new Set<PatchOp>(['move', 'copy']);

export type JsonObject = Record<string, unknown>;

/** What the model is given; written for the model, so it says how paths and `-` work. */
export const STATE_TOOLS: readonly ModelTool[] = [
  {
    name: STATE_SNAPSHOT_TOOL,
    description:
      'Replace the whole application state with a new one. Pass the complete state, including the parts that do not change. ' +
      `For a change to a part of the state, ${STATE_DELTA_TOOL} is shorter.`,
    parameters: {
      type: 'object',
      properties: {
        snapshot: { type: 'object', description: 'The complete new application state, a JSON object.' },
      },
      required: ['snapshot'],
    },
  },
  {
    name: STATE_DELTA_TOOL,
    description:
      'Change the application state with JSON Patch operations (RFC 6902), applied in order to the state as it is now. ' +
      'Either all operations apply or none does.',
    parameters: {
      type: 'object',
      properties: {
        delta: {
          type: 'array',
          description: 'The JSON Patch operations.',
          items: {
            type: 'object',
            properties: {
              op: { type: 'string', enum: [...OPS] },
              path: {
                type: 'string',
                description:
                  'JSON Pointer to the target, e.g. "/todos/0/done". "/todos/-" appends to the "todos" list; "~1" stands for "/" and "~0" for "~" in a key.',
              },
              from: { type: 'string', description: 'JSON Pointer to the source; for "move" and "copy" only.' },
              value: { description: 'The value; for "add", "replace" and "test".' },
            },
            required: ['op', 'path'],
          },
        },
      },
      required: ['delta'],
    },
  },
];

/**
 * Whether a run offers the state tools: `true` always, `false` never, unset when the client shares
 * a non-empty state object (an app that uses no shared state pays no tokens for them, and its
 * model is not tempted to invent one).
 */
export function offersStateTools(option: boolean | undefined, state: unknown): boolean {
  return option ?? (isJsonObject(state) && Object.keys(state).length > 0);
}

/** A state tool call, answered: the state events to send, then the tool result. */
export interface StateToolAnswer {
  events: BaseEvent[];
  result: ToolMessage;
}

/**
 * The shared state of one run, as the model's calls to the state tools change it. Each call is
 * checked and applied to the state as the calls before it left it; one that does not apply gets
 * an error result the model can act on and changes nothing, so no state event is sent for it.
 */
export class RunState {
  private current: JsonObject;
  /** Whether this run has sent the client a STATE_SNAPSHOT yet. */
  private restated = false;
  /** Counts the changes, so the system prompt is rebuilt only after one. */
  version = 0;

  /** `names`: the state tools this run offers (one a backend action or frontend tool also has is not). */
  constructor(
    input: unknown,
    readonly names: ReadonlySet<string>,
  ) {
    // A state that is no object (none sent, or a list) is treated as empty: the tools keep an object.
    this.current = isJsonObject(input) ? input : {};
  }

  get state(): JsonObject {
    return this.current;
  }

  handles(name: string): boolean {
    return this.names.has(name);
  }

  answer(call: ToolCallRequest): StateToolAnswer {
    const outcome = this.apply(call);
    const content = JSON.stringify('error' in outcome ? { error: 'invalid_state_change', message: outcome.error } : { status: 'ok' });
    return {
      events: 'error' in outcome ? [] : outcome.events,
      result: { id: randomUUID(), role: 'tool', toolCallId: call.id, content },
    };
  }

  private apply(call: ToolCallRequest): { events: BaseEvent[] } | { error: string } {
    let args: unknown;
    try {
      args = call.args.trim() === '' ? {} : JSON.parse(call.args);
    } catch {
      return { error: STATE_ARGUMENTS_NOT_JSON(call.name) };
    }
    return call.name === STATE_SNAPSHOT_TOOL ? this.replace(args) : this.patch(args);
  }

  private replace(args: unknown): { events: BaseEvent[] } | { error: string } {
    const snapshot = (args as { snapshot?: unknown } | null)?.snapshot;
    if (!isJsonObject(snapshot)) return { error: STATE_SNAPSHOT_NOT_AN_OBJECT };
    this.current = snapshot;
    this.restated = true;
    this.version++;
    return { events: [{ type: EventType.STATE_SNAPSHOT, snapshot: structuredClone(snapshot) } as BaseEvent] };
  }

  private patch(args: unknown): { events: BaseEvent[] } | { error: string } {
    let delta = (args as { delta?: unknown } | null)?.delta;
    // Some models send the list JSON-encoded in a string; what it means is clear.
    if (typeof delta === 'string') delta = parseOrUndefined(delta);
    if (!Array.isArray(delta)) return { error: STATE_DELTA_NOT_A_LIST };
    const operations: Operation[] = [];
    for (const [index, entry] of delta.entries()) {
      const checked = checkOperation(entry);
      if (typeof checked === 'string') return { error: STATE_OPERATION_INVALID(index, checked) };
      operations.push(checked);
    }
    if (operations.length === 0) return { events: [] };

    let next: unknown;
    // Cloned: the library puts `value`s into the new state by reference, and a later operation
    // would then change the delta that is sent (and stored) too.
    const applied = structuredClone(operations);
    try {
      next = jsonPatch.applyPatch(this.current, applied, true, false).newDocument;
    } catch (error) {
      return { error: patchFailure(error, applied) };
    }
    if (!isJsonObject(next)) return { error: STATE_NOT_AN_OBJECT };

    const events: BaseEvent[] = [];
    // Stored runs are replayed compacted, and a run's deltas collapse into a snapshot only when it
    // holds one: so the state the first delta applies to is sent first. A client that connects later
    // (or the threads' state route) then gets this run's state, not patches against a state it lacks.
    if (!this.restated) events.push({ type: EventType.STATE_SNAPSHOT, snapshot: structuredClone(this.current) } as BaseEvent);
    this.restated = true;
    events.push({ type: EventType.STATE_DELTA, delta: operations } as BaseEvent);
    this.current = next;
    this.version++;
    return { events };
  }
}

/** The operation with only the fields RFC 6902 gives it, or what is wrong with it. */
function checkOperation(entry: unknown): Operation | string {
  if (!isJsonObject(entry)) return 'it is not an object';
  const { op, path, from, value } = entry;
  if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) return `"op" must be one of ${OPS.join(', ')}`;
  if (typeof path !== 'string' || !POINTER.test(path)) return `"path" must be a JSON Pointer such as "/todos/0"`;
  const kind = op as PatchOp;
  if (NEEDS_FROM.has(kind) && (typeof from !== 'string' || !POINTER.test(from))) return `"${kind}" needs "from", a JSON Pointer`;
  if (NEEDS_VALUE.has(kind) && !('value' in entry)) return `"${kind}" needs a "value"`;
  return {
    op: kind,
    path,
    ...(NEEDS_FROM.has(kind) && { from }),
    ...(NEEDS_VALUE.has(kind) && { value }),
  } as Operation;
}

/** Says which operation failed and why, in a line, for the model to correct it. */
function patchFailure(error: unknown, operations: readonly Operation[]): string {
  // The library's `index` can be wrong (0 for a later operation that fails); the operation it names is right.
  const index = error instanceof jsonPatch.JsonPatchError ? operations.indexOf(error.operation as Operation) : -1;
  const operation = index < 0 ? undefined : operations[index];
  // The library's messages go on to dump the operation and the whole state; the first line says it.
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0].replace(/[.,]?\s*if this was on purpose.*$/i, '');
  return STATE_PATCH_FAILED(operation && { index, op: operation.op, path: operation.path }, reason);
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// The library the AG-UI clients apply STATE_DELTA with.
import jsonPatch from 'fast-json-patch';
import { BuiltInAgent, CopilotKitConfigurationError, OpenAIAdapter } from '../../lib/index.js';
import { offersStateTools, RunState, STATE_DELTA_TOOL, STATE_SNAPSHOT_TOOL, STATE_TOOLS } from '../../lib/agents/state-tools.js';
import { buildSystemPrompt } from '../../lib/agents/system-prompt.js';

const both = new Set([STATE_SNAPSHOT_TOOL, STATE_DELTA_TOOL]);
let n = 0;
const call = (name: string, args: unknown) => ({ id: `call_${++n}`, name, args: typeof args === 'string' ? args : JSON.stringify(args) });
const delta = (operations: unknown) => call(STATE_DELTA_TOOL, { delta: operations });
const errorOf = (content: string) => (JSON.parse(content) as { error?: string; message?: string }).message;

describe('offersStateTools', () => {
  it.each([
    [undefined, { todos: [] }, true],
    [undefined, {}, false],
    [undefined, undefined, false],
    [undefined, null, false],
    [undefined, [1], false],
    [undefined, 'text', false],
    [true, {}, true],
    [true, undefined, true],
    [false, { todos: [] }, false],
  ])('option %j with state %j: %j', (option, state, offered) => {
    expect(offersStateTools(option, state)).toBe(offered);
  });
});

describe('RunState', () => {
  it('applies each delta to the state the calls before it left, and reports ok', () => {
    const state = new RunState({ todos: [] }, both);
    const first = state.answer(delta([{ op: 'add', path: '/todos/-', value: { title: 'a' } }]));
    const second = state.answer(delta([{ op: 'add', path: '/todos/0/done', value: true }]));

    expect(state.state).toEqual({ todos: [{ title: 'a', done: true }] });
    expect(state.version).toBe(2);
    expect(first.result).toMatchObject({ role: 'tool', content: '{"status":"ok"}' });
    // Only the first change restates the state it applies to.
    expect(first.events.map((e) => e.type)).toEqual(['STATE_SNAPSHOT', 'STATE_DELTA']);
    expect(first.events[0]).toMatchObject({ snapshot: { todos: [] } });
    expect(second.events.map((e) => e.type)).toEqual(['STATE_DELTA']);
  });

  it('sends deltas a client applying them in order ends with the same state', () => {
    const state = new RunState({ list: [1, 2, 3], meta: { a: 1 } }, both);
    const events = [
      delta([
        { op: 'move', from: '/list/0', path: '/list/-' },
        { op: 'copy', from: '/meta', path: '/copy' },
        { op: 'test', path: '/copy/a', value: 1 },
        { op: 'replace', path: '/meta/a', value: 2 },
        { op: 'remove', path: '/list/0' },
      ]),
      delta([{ op: 'add', path: '/we~1ird~0key', value: { nested: [] } }]),
      delta([{ op: 'add', path: '/we~1ird~0key/nested/-', value: 'x' }]),
    ].flatMap((c) => state.answer(c).events);

    let client: unknown = {};
    for (const event of events as Array<{ type: string; snapshot?: unknown; delta?: never }>) {
      client = event.type === 'STATE_SNAPSHOT' ? event.snapshot : jsonPatch.applyPatch(client, event.delta!, true, false).newDocument;
    }
    expect(client).toEqual({ list: [3, 1], meta: { a: 2 }, copy: { a: 1 }, 'we/ird~key': { nested: ['x'] } });
    expect(state.state).toEqual(client);
  });

  it('keeps a sent delta as it was, even when a later operation changes the value it added', () => {
    const state = new RunState({ x: 1 }, both);
    const { events } = state.answer(
      delta([
        { op: 'add', path: '/todo', value: { done: false } },
        { op: 'replace', path: '/todo/done', value: true },
      ]),
    );
    expect(events[1]).toMatchObject({ delta: [{ op: 'add', path: '/todo', value: { done: false } }, { op: 'replace' }] });
    expect(state.state).toEqual({ x: 1, todo: { done: true } });
  });

  it.each([
    ['a missing path', [{ op: 'remove', path: '/todos/5' }], /^Operation 0 \(remove \/todos\/5\) does not apply to the current state: /],
    ['a failed test', [{ op: 'test', path: '/todos', value: [1] }], /^Operation 0 \(test \/todos\) does not apply/],
    ['a parent that does not exist', [{ op: 'add', path: '/a/b/c', value: 1 }], /^Operation 0 \(add \/a\/b\/c\)/],
    ['an index past the end', [{ op: 'add', path: '/todos/3', value: 1 }], /^Operation 0 \(add \/todos\/3\)/],
    ['a missing from', [{ op: 'move', from: '/nope', path: '/x' }], /^Operation 0 \(move \/x\)/],
    [
      'a later operation (all or nothing)',
      [
        { op: 'add', path: '/todos/-', value: 1 },
        { op: 'remove', path: '/gone' },
      ],
      /^Operation 1 \(remove \/gone\)/,
    ],
    ['a prototype change', [{ op: 'add', path: '/__proto__/polluted', value: true }], /^The patch does not apply .*__proto__/],
    ['a state that is no object', [{ op: 'replace', path: '', value: [1] }], /something other than a JSON object/],
    [
      'an unknown op',
      [{ op: 'merge', path: '/a', value: 1 }],
      /^Operation 0 of 'delta' is not a valid JSON Patch operation: "op" must be one of/,
    ],
    ['a path that is no pointer', [{ op: 'add', path: 'todos/0', value: 1 }], /"path" must be a JSON Pointer/],
    ['a bad escape', [{ op: 'add', path: '/a~2', value: 1 }], /"path" must be a JSON Pointer/],
    ['add without a value', [{ op: 'add', path: '/a' }], /"add" needs a "value"/],
    ['copy without from', [{ op: 'copy', path: '/a' }], /"copy" needs "from"/],
    ['an operation that is no object', ['remove /a'], /Operation 0 .*it is not an object/],
    ['no list', { op: 'add', path: '/a', value: 1 }, /'delta' must be a list of JSON Patch operations/],
  ])('refuses %s: an error result, no event, the state unchanged', (_case, operations, message) => {
    const initial = { todos: [] };
    const state = new RunState(initial, both);
    const { events, result } = state.answer(delta(operations));

    expect(events).toEqual([]);
    expect(JSON.parse(result.content as string)).toMatchObject({ error: 'invalid_state_change' });
    expect(errorOf(result.content as string)).toMatch(message);
    expect(errorOf(result.content as string)).toMatch(/the state is unchanged\.$/i);
    expect(state.state).toEqual({ todos: [] });
    expect(state.version).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses arguments that are not JSON, and a snapshot that is no object', () => {
    const state = new RunState({ a: 1 }, both);
    expect(errorOf(state.answer(call(STATE_DELTA_TOOL, '{"delta": [')).result.content as string)).toMatch(/not valid JSON/);
    for (const snapshot of [null, [1], 'x', undefined]) {
      const { events, result } = state.answer(call(STATE_SNAPSHOT_TOOL, { snapshot }));
      expect(events).toEqual([]);
      expect(errorOf(result.content as string)).toMatch(/'snapshot' must be a JSON object/);
    }
    expect(state.state).toEqual({ a: 1 });
  });

  it('takes a delta sent as a JSON string, and an empty one as nothing to do', () => {
    const state = new RunState({ a: 1 }, both);
    expect(state.answer(call(STATE_DELTA_TOOL, { delta: '[{"op":"replace","path":"/a","value":2}]' })).events).toHaveLength(2);
    expect(state.answer(delta([])).events).toEqual([]);
    expect(state.state).toEqual({ a: 2 });
  });

  it('replaces the state with a snapshot; later deltas apply to it and restate nothing', () => {
    const state = new RunState({ a: 1 }, both);
    expect(state.answer(call(STATE_SNAPSHOT_TOOL, { snapshot: { b: [] } })).events).toEqual([
      { type: 'STATE_SNAPSHOT', snapshot: { b: [] } },
    ]);
    expect(state.answer(delta([{ op: 'add', path: '/b/-', value: 1 }])).events.map((e) => e.type)).toEqual(['STATE_DELTA']);
    expect(state.state).toEqual({ b: [1] });
  });

  it('treats a state that is no object as empty', () => {
    const state = new RunState([1, 2], both);
    const { events } = state.answer(delta([{ op: 'add', path: '/todos', value: [] }]));
    expect(events[0]).toMatchObject({ type: 'STATE_SNAPSHOT', snapshot: {} });
    expect(state.state).toEqual({ todos: [] });
  });

  it('handles only the tools it offers', () => {
    const state = new RunState({}, new Set([STATE_DELTA_TOOL]));
    expect(state.handles(STATE_DELTA_TOOL)).toBe(true);
    expect(state.handles(STATE_SNAPSHOT_TOOL)).toBe(false);
  });

  it('describes both tools with schemas that require their argument', () => {
    expect(STATE_TOOLS.map((tool) => [tool.name, tool.parameters.required])).toEqual([
      [STATE_SNAPSHOT_TOOL, ['snapshot']],
      [STATE_DELTA_TOOL, ['delta']],
    ]);
  });
});

describe('the system prompt with the state tools', () => {
  it('shows the state, even an empty one, and how to change it', () => {
    expect(buildSystemPrompt(undefined, [], {}, true)).toContain('```json\n{}\n```');
    expect(buildSystemPrompt(undefined, [], { a: 1 }, true)).toMatch(/"a": 1[\s\S]*AGUISendStateDelta[\s\S]*AGUISendStateSnapshot/);
  });

  it('without them, shows a state there is for reading, and no empty one', () => {
    expect(buildSystemPrompt('Be brief.', [], { a: 1 })).not.toContain('AGUISendStateDelta');
    expect(buildSystemPrompt('Be brief.', [], { a: 1 })).toContain('"a": 1');
    expect(buildSystemPrompt('Be brief.', [], {})).toBe('Be brief.');
  });
});

describe("BuiltInAgent's stateTools option", () => {
  const adapter = new OpenAIAdapter({ client: { chat: { completions: { create: async () => (async function* () {})() } } }, model: 'm' });

  it.each(['yes', 1, null])('must be a boolean: %j fails when the agent is built', (value) => {
    expect(() => new BuiltInAgent({ model: adapter, stateTools: value as never })).toThrow(CopilotKitConfigurationError);
    expect(() => new BuiltInAgent({ model: adapter, stateTools: value as never })).toThrow(/'stateTools' must be true, false or left out/);
  });

  it.each([true, false, undefined])('accepts %j', (value) => {
    expect(() => new BuiltInAgent({ model: adapter, stateTools: value })).not.toThrow();
  });
});

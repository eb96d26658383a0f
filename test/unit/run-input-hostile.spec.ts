import { InvalidRunInputException } from '../../lib/index.js';
import { checkConnectThreadId, parseRunAgentInput } from '../../lib/runtime/run-input.parser.js';
import { idProblem, MAX_ID_LENGTH } from '../../lib/runners/thread-id.js';
import { runInput } from '../fixtures/sse-client.js';

function failure(call: () => unknown): InvalidRunInputException {
  try {
    call();
  } catch (error) {
    if (error instanceof InvalidRunInputException) return error;
    throw error;
  }
  throw new Error('expected the input to be rejected');
}

describe('ids every store holds', () => {
  it('takes up to 256 code units of any well-formed text, and nothing longer', () => {
    expect(MAX_ID_LENGTH).toBe(256);
    expect(idProblem('€'.repeat(256))).toBeUndefined();
    expect(idProblem('😀'.repeat(128))).toBeUndefined();
    expect(idProblem('a'.repeat(257))).toBe('must be at most 256 characters long.');
    expect(idProblem('a\u0000')).toBe('must not contain the NUL character (U+0000).');
    expect(idProblem('a\udc00b')).toBe('must be well-formed Unicode (no unpaired surrogate).');
    expect(idProblem('line\nbreak\u0001')).toBeUndefined();
  });

  it('names each run body id that no store can hold', () => {
    const error = failure(() => parseRunAgentInput(runInput({ threadId: 'a\u0000', runId: 'r'.repeat(300) })));
    expect(error.details).toEqual([
      { field: 'threadId', message: 'must not contain the NUL character (U+0000).' },
      { field: 'runId', message: 'must be at most 256 characters long.' },
    ]);
    expect(error.getResponse()).toMatchObject({ statusCode: 400, message: 'threadId: must not contain the NUL character (U+0000).' });
  });

  it("checks connect's thread id only when it is a string, leaving a missing one to the runtime", () => {
    expect(failure(() => checkConnectThreadId({ threadId: 'x'.repeat(257) })).details[0].field).toBe('threadId');
    expect(() => checkConnectThreadId({})).not.toThrow();
    expect(() => checkConnectThreadId(null)).not.toThrow();
    expect(() => checkConnectThreadId({ threadId: 'ok' })).not.toThrow();
  });
});

describe('__proto__ in a run input', () => {
  const poisoned = () => JSON.parse('{"__proto__":{"polluted":true},"keep":1}') as Record<string, unknown>;

  it('is removed from every part of the input, as an application passing parsed JSON would send it', () => {
    const body = JSON.parse(JSON.stringify(runInput())) as Record<string, unknown>;
    Object.assign(body, {
      state: poisoned(),
      forwardedProps: poisoned(),
      tools: [{ name: 't', description: 'd', parameters: { type: 'object', properties: { x: poisoned() } } }],
      context: [{ description: 'c', value: 'v' }],
      resume: [{ interruptId: 'i', status: 'resolved', payload: poisoned() }],
    });
    (body.messages as object[]).push(Object.assign(JSON.parse('{"__proto__":{"role":"system"}}'), { id: 'm', role: 'user', content: 'x' }));
    Object.defineProperty(body, '__proto__', { value: { polluted: true }, enumerable: true, configurable: true, writable: true });

    const input = parseRunAgentInput(body) as unknown as Record<string, unknown>;

    const found: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (typeof value !== 'object' || value === null) return;
      if (Object.hasOwn(value, '__proto__')) found.push(path);
      if (![Object.prototype, Array.prototype].includes(Object.getPrototypeOf(value))) found.push(`${path} (prototype)`);
      Object.entries(value).forEach(([key, child]) => walk(child, `${path}.${key}`));
    };
    walk(input, '$');
    expect(found).toEqual([]);
    expect(input.state).toEqual({ keep: 1 });
    expect(input.resume).toEqual([{ interruptId: 'i', status: 'resolved', payload: { keep: 1 } }]);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('keeps constructor and prototype keys, which on parsed JSON are plain data', () => {
    const state = JSON.parse('{"constructor":{"prototype":{"x":1}},"prototype":{"y":2}}');
    expect(parseRunAgentInput(runInput({ state })).state).toEqual({ constructor: { prototype: { x: 1 } }, prototype: { y: 2 } });
  });
});

import { InvalidRunInputException } from '../../lib/index.js';
import { parseRunAgentInput } from '../../lib/runtime/run-input.parser.js';
import { runInput } from '../fixtures/sse-client.js';

function failure(body: unknown): InvalidRunInputException {
  try {
    parseRunAgentInput(body);
  } catch (error) {
    if (error instanceof InvalidRunInputException) return error;
    throw error;
  }
  throw new Error('expected the input to be rejected');
}

describe('parseRunAgentInput', () => {
  it('accepts what the clients send, keeping unknown top-level fields', () => {
    const input = { ...runInput(), protocolVersion: '1.0', lastSeenEventId: 'x' };
    expect(parseRunAgentInput(input)).toEqual(input);
  });

  it('fills the defaults of 1.0 for omitted tools and context', () => {
    const { tools: _tools, context: _context, ...rest } = runInput();
    expect(parseRunAgentInput(rest)).toMatchObject({ tools: [], context: [] });
  });

  it('upgrades the legacy binary parts that 0.0.x clients send', () => {
    const input = runInput();
    input.messages = [
      {
        id: 'u',
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'binary', mimeType: 'image/png', data: 'aGk=' },
          { type: 'binary', mimeType: 'application/pdf', url: 'https://example.test/a.pdf' },
        ] as never,
      },
    ];
    expect(parseRunAgentInput(input).messages[0].content).toEqual([
      { type: 'text', text: 'look' },
      { type: 'image', source: { type: 'data', value: 'aGk=', mimeType: 'image/png' } },
      { type: 'document', source: { type: 'url', value: 'https://example.test/a.pdf', mimeType: 'application/pdf' } },
    ]);
  });

  it('names the offending fields', () => {
    const error = failure({ ...runInput(), runId: 42, messages: [{ id: 'a', role: 'assistant', content: null }] });
    expect(error.details.map((d) => d.field)).toEqual(['runId', 'messages[0].content']);
    expect(error.getResponse()).toMatchObject({
      statusCode: 400,
      error: 'Invalid request body',
      message: expect.stringMatching(/^runId: /),
    });
  });

  it('refuses a body nested deeper than any conversation needs', () => {
    let state: Record<string, unknown> = {};
    const root = state;
    for (let i = 0; i < 5000; i++) state = (state.next = {}) as Record<string, unknown>;
    expect(failure({ ...runInput(), state: root }).details[0].message).toMatch(/nested more than 100 levels/);
  });

  it.each([null, 'text', 42, []])('rejects a body that is not an object (%p)', (body) => {
    expect(failure(body).details).toEqual([{ field: '', message: expect.stringContaining('JSON object') }]);
  });
});

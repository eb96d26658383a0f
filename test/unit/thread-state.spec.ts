import { EventType, type BaseEvent } from '@ag-ui/core';
import { stateFromEvents } from '../../lib/protocol/thread-messages.js';

const snapshot = (value: unknown) => ({ type: EventType.STATE_SNAPSHOT, snapshot: value }) as BaseEvent;
const delta = (ops: unknown[]) => ({ type: EventType.STATE_DELTA, delta: ops }) as BaseEvent;

describe('the state GET /threads/:id/state answers', () => {
  it('is the last snapshot with the deltas after it applied', () => {
    const events = [
      snapshot({ todos: [] }),
      delta([{ op: 'add', path: '/todos/-', value: 'a' }]),
      snapshot({ todos: ['x'] }),
      delta([{ op: 'add', path: '/todos/-', value: 'y' }]),
      delta([{ op: 'replace', path: '/todos/0', value: 'z' }]),
    ];
    expect(stateFromEvents(events)).toEqual({ todos: ['z', 'y'] });
  });

  it('applies deltas of an agent that never sends a snapshot to an empty object, as a fresh client does', () => {
    expect(stateFromEvents([delta([{ op: 'add', path: '/count', value: 1 }])])).toEqual({ count: 1 });
  });

  it('skips a delta that does not apply, whole, and leaves the events untouched', () => {
    const first = snapshot({ todos: ['a'] });
    const events = [
      first,
      delta([
        { op: 'add', path: '/todos/-', value: 'b' },
        { op: 'remove', path: '/missing' },
      ]),
    ];
    expect(stateFromEvents(events)).toEqual({ todos: ['a'] });
    expect((first as unknown as { snapshot: unknown }).snapshot).toEqual({ todos: ['a'] });
  });

  it('is null for a thread without state events', () => {
    expect(stateFromEvents([{ type: EventType.RUN_STARTED } as BaseEvent])).toBeNull();
  });
});

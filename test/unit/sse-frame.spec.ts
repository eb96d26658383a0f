import { parseSSEStream } from '@ag-ui/client';
import type { BaseEvent } from '@ag-ui/core';
import { asapScheduler, lastValueFrom, observeOn, of, toArray } from 'rxjs';
import { formatSseEvent, SSE_HEARTBEAT } from '../../lib/protocol/sse-frame.js';

describe('SSE framing', () => {
  const event = { type: 'TEXT_MESSAGE_CONTENT', messageId: 'm', delta: 'line one\nline two\r\n"quoted" ✓' } as BaseEvent;

  it('writes one data line and a blank line, LF only, whatever the content', () => {
    const frame = formatSseEvent(event);
    expect(frame).toBe(`data: ${JSON.stringify(event)}\n\n`);
    expect(frame.match(/\n/g)).toHaveLength(2);
    expect(frame).not.toContain('\r');
  });

  it('can carry an event id line', () => {
    expect(formatSseEvent(event, 'run-1:7')).toBe(`id: run-1:7\ndata: ${JSON.stringify(event)}\n\n`);
  });

  it('round-trips through the official client parser, heartbeats included', async () => {
    const body = SSE_HEARTBEAT + formatSseEvent(event) + SSE_HEARTBEAT + formatSseEvent({ type: 'RUN_FINISHED' } as BaseEvent);
    const bytes = new TextEncoder().encode(body);
    // Split mid-frame and mid-character, as the network would.
    const chunks = [bytes.slice(0, 17), bytes.slice(17, 73), bytes.slice(73)];
    // The parser subscribes to its source at once, so the source must emit asynchronously.
    const source = of(...chunks.map((data) => ({ type: 'data' as never, data }))).pipe(observeOn(asapScheduler));
    const parsed = await lastValueFrom(parseSSEStream(source).pipe(toArray()));
    expect(parsed).toEqual([event, { type: 'RUN_FINISHED' }]);
  });
});

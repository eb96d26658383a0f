import type { BaseEvent } from '@ag-ui/core';

/**
 * An event with its SSE id (`<runId>:<seq>`, see event-id.ts). A resumed stream's prelude carries the
 * position the client resumed from; an event without an id takes the position of the one before it.
 */
export interface IdentifiedEvent {
  id?: string;
  event: BaseEvent;
}

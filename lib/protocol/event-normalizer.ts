import { EventType, type BaseEvent } from '@ag-ui/core';

/** An AG-UI event as it arrives from an agent: typed loosely so fields can be inspected. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fields of any event type are read without a cast per type
export type LooseEvent = BaseEvent & Record<string, any>;

/** Every event type the current AG-UI schema knows. THINKING_* is deliberately absent (removed in 1.0). */
export const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(Object.values(EventType));

/**
 * Keys whose `null` carries meaning (a snapshot of `null`, a custom event whose value is `null`).
 * Everywhere else the clients reject `null` in an optional field, so it is removed.
 */
const NULL_MEANINGFUL = new Set(['snapshot', 'value', 'event']);

export function isEventObject(value: unknown): value is LooseEvent {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { type?: unknown }).type === 'string';
}

/**
 * Makes an agent's event acceptable to every supported client (0.0.59 validates each frame with
 * zod, 1.0 requires integer timestamps): drops `null` optional fields and rounds timestamps.
 * Copies only when something changes, so the common case allocates nothing.
 */
export function normalizeEvent(event: LooseEvent): LooseEvent {
  let copy: LooseEvent | undefined;
  for (const key in event) {
    if (event[key] === null && !NULL_MEANINGFUL.has(key)) {
      copy ??= { ...event };
      delete copy[key];
    }
  }
  const timestamp = event.timestamp;
  if (timestamp !== undefined && timestamp !== null && !Number.isSafeInteger(timestamp)) {
    copy ??= { ...event };
    if (typeof timestamp === 'number' && Number.isFinite(timestamp)) copy.timestamp = Math.round(timestamp);
    else delete copy.timestamp;
  }
  if (event.type === EventType.MESSAGES_SNAPSHOT && Array.isArray(event.messages)) {
    copy ??= { ...event };
    copy.messages = event.messages.map(withoutNullFields);
  }
  return copy ?? event;
}

/** Messages must not carry `null` either (`assistant.content: null` is fatal in every client). */
export function withoutNullFields<T extends object>(value: T): T {
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    if ((value as Record<string, unknown>)[key] === null) {
      copy ??= { ...(value as Record<string, unknown>) };
      delete copy[key];
    }
  }
  return (copy as T | undefined) ?? value;
}

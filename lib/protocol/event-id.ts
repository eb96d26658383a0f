/**
 * SSE event ids: `<runId>:<seq>` for an event as it was produced (live, or replayed one by one),
 * `<runId>:c<index>` for an event of a compacted replay. A client that reconnects with the last id
 * it saw gets exactly what follows it.
 */
export interface EventPosition {
  runId: string;
  /** Raw sequence, or the index in the run's compacted replay. */
  index: number;
  compacted: boolean;
}

export function rawEventId(runId: string, seq: number): string {
  return `${runId}:${seq}`;
}

export function compactedEventId(runId: string, index: number): string {
  return `${runId}:c${index}`;
}

export function parseEventId(id: string | undefined | null): EventPosition | undefined {
  if (typeof id !== 'string') return undefined;
  const separator = id.lastIndexOf(':');
  if (separator < 1) return undefined;
  const tail = id.slice(separator + 1);
  const compacted = tail.startsWith('c');
  const index = Number(compacted ? tail.slice(1) : tail);
  if (!Number.isSafeInteger(index) || index < 0) return undefined;
  return { runId: id.slice(0, separator), index, compacted };
}

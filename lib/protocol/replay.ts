import { compactEvents } from '@ag-ui/client';
import { EventType, type BaseEvent } from '@ag-ui/core';
import { Observable, type OperatorFunction } from 'rxjs';
import type { IdentifiedEvent } from './identified-event.js';
import { compactedEventId, parseEventId, rawEventId, type EventPosition } from './event-id.js';
import type { LooseEvent } from './event-normalizer.js';
import { RunEventGuard } from './run-event-guard.js';
import { RUN_STORED_WITHOUT_END } from './protocol.messages.js';

/** A stored run, as far as replaying it goes. */
export interface RunEvents {
  runId: string;
  events: BaseEvent[];
}

/** Which START opens a construct, which END closes it, and what identifies it. */
const OPENERS: Record<string, { closer: string; key: string }> = {
  [EventType.TEXT_MESSAGE_START]: { closer: EventType.TEXT_MESSAGE_END, key: 'messageId' },
  [EventType.TOOL_CALL_START]: { closer: EventType.TOOL_CALL_END, key: 'toolCallId' },
  [EventType.REASONING_START]: { closer: EventType.REASONING_END, key: 'messageId' },
  [EventType.REASONING_MESSAGE_START]: { closer: EventType.REASONING_MESSAGE_END, key: 'messageId' },
  [EventType.STEP_STARTED]: { closer: EventType.STEP_FINISHED, key: 'stepName' },
};
const CLOSERS = new Map(Object.entries(OPENERS).map(([opener, { closer, key }]) => [closer, { opener, key }]));

/**
 * The events a client needs before the rest of a run it has partly seen: the run's RUN_STARTED,
 * then the START of every message, tool call, reasoning span and step still open at that point.
 * The AG-UI clients verify each stream on its own, so a resumed one must open the run again;
 * re-sent STARTs reuse the messages the client already has, so nothing is duplicated.
 */
export function resumePrelude(seen: readonly BaseEvent[]): BaseEvent[] {
  const open = new Map<string, BaseEvent>();
  let started: BaseEvent | undefined;
  for (const event of seen as LooseEvent[]) {
    if (event.type === EventType.RUN_STARTED) started = event;
    const opener = OPENERS[event.type];
    if (opener) open.set(`${event.type}:${String(event[opener.key])}`, event);
    const closer = CLOSERS.get(event.type);
    if (closer) open.delete(`${closer.opener}:${String(event[closer.key])}`);
  }
  return started ? [started, ...open.values()] : [...open.values()];
}

/**
 * A finished run's events, ending as every run must. A run can be stored without its end (the
 * store failed its last writes, or it was stored by an older version): replayed as it is, it would
 * leave the clients waiting for an end that never comes, so it is closed here as a recovered run
 * is (open messages and tool calls closed, then RUN_ERROR `INTERRUPTED`). The store is not changed.
 */
export function endedRun(run: RunEvents): BaseEvent[] {
  const last = run.events.at(-1)?.type;
  // No events at all: a run refused before it started (its lock was released), nothing to replay.
  if (last === undefined || last === EventType.RUN_FINISHED || last === EventType.RUN_ERROR) return run.events;
  return [...run.events, ...closingEvents(run.events, { threadId: '', runId: run.runId }, RUN_STORED_WITHOUT_END, 'INTERRUPTED')];
}

/**
 * What closes a run that stopped part-way through `events`: the ENDs of its open messages, tool
 * calls and steps, then a RUN_ERROR with `message` and `code`. The guard learns what is open from
 * the events; only what it adds to close them is returned.
 */
export function closingEvents(
  events: readonly BaseEvent[],
  ids: { threadId: string; runId: string },
  message: string,
  code: string,
): BaseEvent[] {
  const closing: BaseEvent[] = [];
  let replaying = true;
  const guard = new RunEventGuard({ ...ids, emit: (event) => !replaying && closing.push(event) });
  for (const event of events) guard.accept(event);
  replaying = false;
  guard.end('failed', message, code);
  return closing;
}

/** A finished run as a `connect` replays it: compacted, each event with its compacted id. */
export function compactedRun(run: RunEvents): IdentifiedEvent[] {
  return compactEvents(endedRun(run)).map((event, index) => ({ id: compactedEventId(run.runId, index), event }));
}

/**
 * The history part of a `connect`: every finished run, compacted; or, when the client says where it
 * stopped, only what follows that point (the rest of that run, behind a prelude, then later runs).
 * A position in a run that is no longer stored replays everything.
 */
export function replayFinishedRuns(runs: readonly RunEvents[], from: EventPosition | undefined): IdentifiedEvent[] {
  const at = from ? runs.findIndex((run) => run.runId === from.runId) : -1;
  if (!from || at < 0) return runs.flatMap(compactedRun);
  const run = runs[at];
  const events = endedRun(run);
  const sequence = from.compacted ? compactEvents(events) : events;
  const idOf = (index: number) => (from.compacted ? compactedEventId(run.runId, index) : rawEventId(run.runId, index));
  const rest = sequence.slice(from.index + 1).map((event, offset) => ({ id: idOf(from.index + 1 + offset), event }));
  // The prelude re-sends what the client saw, so it carries the position the client resumed from.
  const prelude = rest.length > 0 ? resumePrelude(sequence.slice(0, from.index + 1)).map((event) => ({ id: idOf(from.index), event })) : [];
  return [...prelude, ...rest, ...runs.slice(at + 1).flatMap(compactedRun)];
}

/**
 * For a stream of one run's events from its first one: skips what the client saw (sequence up to
 * `lastSeen`) and, when the next event comes, opens with the prelude that lets the client accept
 * the rest. Works the same for a live run here and one followed from another instance.
 */
export function resumeAfter(lastSeen: number): OperatorFunction<IdentifiedEvent, IdentifiedEvent> {
  return (source) =>
    new Observable<IdentifiedEvent>((subscriber) => {
      const seen: BaseEvent[] = [];
      let resumed = false;
      return source.subscribe({
        next: (identified) => {
          if (resumed) return subscriber.next(identified);
          const seq = parseEventId(identified.id)?.index ?? 0;
          if (seq <= lastSeen) {
            seen.push(identified.event);
            return;
          }
          resumed = true;
          const position = parseEventId(identified.id);
          const id = position && rawEventId(position.runId, lastSeen);
          for (const event of resumePrelude(seen)) subscriber.next({ id, event });
          subscriber.next(identified);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}

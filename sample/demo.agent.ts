import { AbstractAgent } from '@ag-ui/client';
import { EventType, type BaseEvent, type RunAgentInput } from '@ag-ui/core';
import { Observable } from 'rxjs';

/**
 * A scripted AG-UI agent for running the sample without any LLM: it streams a fixed answer word by
 * word, so the whole path (module, guards, SSE, runner, replay) can be seen working.
 */
export class DemoAgent extends AbstractAgent {
  constructor() {
    super({ description: 'A scripted demo agent: it streams a canned answer, no LLM involved.' });
  }

  override run(input: RunAgentInput): Observable<BaseEvent> {
    const lastUser = [...input.messages].reverse().find((message) => message.role === 'user');
    const question = typeof lastUser?.content === 'string' ? lastUser.content : 'your message';
    const words = `Demo mode: no LLM is connected. You asked: "${question}". This answer was streamed word by word over SSE by nestjs-copilotkit.`.split(' ');
    return new Observable<BaseEvent>((subscriber) => {
      const messageId = crypto.randomUUID();
      subscriber.next({ type: EventType.RUN_STARTED, threadId: input.threadId, runId: input.runId } as BaseEvent);
      subscriber.next({ type: EventType.TEXT_MESSAGE_START, messageId, role: 'assistant' } as BaseEvent);
      let index = 0;
      const timer = setInterval(() => {
        if (index < words.length) {
          subscriber.next({ type: EventType.TEXT_MESSAGE_CONTENT, messageId, delta: `${index ? ' ' : ''}${words[index++]}` } as BaseEvent);
          return;
        }
        clearInterval(timer);
        subscriber.next({ type: EventType.TEXT_MESSAGE_END, messageId } as BaseEvent);
        subscriber.next({ type: EventType.RUN_FINISHED, threadId: input.threadId, runId: input.runId } as BaseEvent);
        subscriber.complete();
      }, 30);
      // Unsubscribing is how the runtime stops a run: stop streaming at once.
      return () => clearInterval(timer);
    });
  }

  override clone(): DemoAgent {
    return new DemoAgent();
  }
}

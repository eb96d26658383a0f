import { randomUUID } from 'node:crypto';
import { EventType, type BaseEvent, type RunAgentInput } from '@ag-ui/core';
import { Observable } from 'rxjs';
import { CopilotAgent, type CopilotRunContext } from 'nestjs-copilotkit';
import { TodoService } from './todo.service.js';

/** An agent class with injected dependencies; it tells the user which actions they may use. */
@CopilotAgent({ name: 'assistant', description: 'Explains what it can do for you' })
export class AssistantAgent {
  constructor(private readonly todos: TodoService) {}

  run(input: RunAgentInput, context?: CopilotRunContext): Observable<BaseEvent> {
    return new Observable<BaseEvent>((subscriber) => {
      const { threadId, runId } = input;
      const messageId = randomUUID();
      subscriber.next({ type: EventType.RUN_STARTED, threadId, runId } as BaseEvent);
      void context!.actions.list().then((actions) => {
        const names = actions.map((action) => action.name).join(', ');
        subscriber.next({ type: EventType.TEXT_MESSAGE_START, messageId, role: 'assistant' } as BaseEvent);
        subscriber.next({
          type: EventType.TEXT_MESSAGE_CONTENT,
          messageId,
          delta: `I can: ${names}. There are ${this.todos.size} todos.`,
        } as BaseEvent);
        subscriber.next({ type: EventType.TEXT_MESSAGE_END, messageId } as BaseEvent);
        subscriber.next({ type: EventType.RUN_FINISHED, threadId, runId } as BaseEvent);
        subscriber.complete();
      });
    });
  }
}

import { Injectable } from '@nestjs/common';
import { EventType, type BaseEvent } from '@ag-ui/core';
import { CopilotRuntime } from 'nestjs-copilotkit';
import { lastValueFrom, toArray } from 'rxjs';

/** Drives an agent from application code: no HTTP involved. */
@Injectable()
export class DigestService {
  constructor(private readonly runtime: CopilotRuntime) {}

  async summarize(threadId: string, text: string): Promise<string> {
    const events = await this.runtime.run('default', {
      threadId,
      runId: crypto.randomUUID(),
      messages: [{ id: crypto.randomUUID(), role: 'user', content: `Summarize: ${text}` }],
    });
    const all = await lastValueFrom(events.pipe(toArray()));
    return all
      .filter((event): event is BaseEvent & { delta: string } => event.type === EventType.TEXT_MESSAGE_CONTENT)
      .map((event) => event.delta)
      .join('');
  }
}

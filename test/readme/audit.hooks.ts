import { ForbiddenException, Injectable } from '@nestjs/common';
import { CopilotHooks, type CopilotKitHooks, type CopilotRequestContext, type CopilotRequestSummary } from 'nestjs-copilotkit';

type AppRequest = { headers: Record<string, string | undefined>; workspace?: string };

/** Where audit entries go: a repository in a real app. */
@Injectable()
export class AuditLog {
  readonly entries: Array<Record<string, unknown>> = [];

  async append(entry: Record<string, unknown>): Promise<void> {
    this.entries.push(entry);
  }
}

@CopilotHooks()
export class AuditHooks implements CopilotKitHooks {
  constructor(private readonly audit: AuditLog) {}

  /** Runs after guards; throwing an HttpException answers with it. */
  beforeRequest({ request }: CopilotRequestContext): void {
    const req = request as AppRequest;
    if (!req.headers['x-workspace']) throw new ForbiddenException('Choose a workspace first.');
    req.workspace = req.headers['x-workspace']; // actions see it on context.request
  }

  /** Once the run is over, even if the browser left early. A failure here is only logged. */
  async afterRequest({ route, request, threadId, runId, messages, usage, outcome }: CopilotRequestSummary): Promise<void> {
    if (route.method !== 'agent/run') return;
    await this.audit.append({
      workspace: (request as AppRequest).workspace,
      threadId,
      runId,
      outcome,
      lastMessage: messages.at(-1)?.content,
      outputTokens: usage.reduce((sum, entry) => sum + (entry.outputTokens ?? 0), 0),
    });
  }
}

import { Logger } from '@nestjs/common';
import { CopilotHooks, type CopilotKitHooks, type CopilotRequestSummary } from 'nestjs-copilotkit';
import type { User } from '../auth/demo-users.js';

/** One audit line per chat run: who, which thread, how it ended, what it cost in tokens. Never the text. */
@CopilotHooks()
export class AuditHooks implements CopilotKitHooks {
  private readonly logger = new Logger('Audit');

  afterRequest({ route, request, threadId, runId, usage, outcome, errorCode, durationMs }: CopilotRequestSummary): void {
    if (route.method !== 'agent/run') return;
    const user = (request as { user?: User }).user;
    const tokens = usage.reduce((sum, entry) => sum + (entry.inputTokens ?? 0) + (entry.outputTokens ?? 0), 0);
    this.logger.log(
      `user=${user?.id ?? 'anonymous'} agent=${route.agentId} thread=${threadId} run=${runId} outcome=${outcome}${errorCode ? `:${errorCode}` : ''} tokens=${tokens} ms=${durationMs}`,
    );
  }
}

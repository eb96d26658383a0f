import { NotFoundException } from '@nestjs/common';
import { shareClassIdentity } from '../platform/shared-class-identity.js';
import { AGENT_NOT_FOUND } from './errors.messages.js';

/** The route or envelope named an agent that this runtime does not serve (404, before any stream). */
export class AgentNotFoundException extends NotFoundException {
  static {
    shareClassIdentity(this, 'AgentNotFoundException');
  }

  constructor(readonly agentId: string) {
    super({ statusCode: 404, error: 'Agent not found', message: AGENT_NOT_FOUND(agentId) });
  }
}

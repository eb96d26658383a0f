import { BuiltInAgent, CopilotAgent } from 'nestjs-copilotkit';
import { ModelProvider } from './model.provider.js';

/** A second agent, as a class: it reads the board but cannot change it. */
@CopilotAgent({ name: 'planner', description: 'Suggests what to work on next; reads the board, never changes it.' })
export class PlannerAgent extends BuiltInAgent {
  constructor(models: ModelProvider) {
    super({
      model: models.model,
      instructions: 'You help plan the week. Read the board with listTasks and suggest an order. Be brief.',
      actions: ['listTasks'],
      temperature: 0.2,
    });
  }
}

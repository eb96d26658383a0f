import { Module } from '@nestjs/common';
import { BuiltInAgent, CopilotKitModule, type BackendAction } from 'nestjs-copilotkit';

// The CopilotKit docs' backend action, as written there: a parameter list and a handler.
const sayHello: BackendAction<{ name: string }> = {
  name: 'sayHello',
  description: 'Say hello to someone.',
  parameters: [{ name: 'name', type: 'string', description: 'name of the person to say hello to', required: true }],
  handler: async ({ name }, { properties }) => `Hello, ${name}! Your plan: ${String(properties.plan ?? 'free')}.`,
};

const reports: Record<string, string[]> = { acme: ['sales', 'churn'], globex: ['invoices'] };

const reportAction = (tenant: string, report: string): BackendAction => ({
  name: `${report}Report`,
  description: `The ${report} report of ${tenant}`,
  handler: () => ({ tenant, report, rows: [] }),
});

@Module({
  imports: [
    CopilotKitModule.forRoot({
      agents: { default: new BuiltInAgent({ model: 'openai:gpt-4o-mini' }) },
      // Called for every run: each tenant gets its own tools, next to sayHello and the @CopilotAction methods.
      actions: ({ headers }) => {
        const tenant = String(headers['x-tenant'] ?? '');
        return [sayHello, ...(reports[tenant] ?? []).map((report) => reportAction(tenant, report))];
      },
    }),
  ],
})
export class ActionListModule {}

import { Injectable, Module } from '@nestjs/common';
import { BuiltInAgent, CopilotAction, CopilotKitModule } from 'nestjs-copilotkit';
import { AuthModule } from './auth.module.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';

@Injectable()
export class OpsService {
  @CopilotAction({ description: 'Restart the billing workers', runtime: 'admin' })
  restartWorkers() {
    return { restarted: true };
  }

  @CopilotAction({ description: 'Tell whether the services are up', runtime: ['copilotkit', 'admin'] })
  status() {
    return { healthy: true };
  }
}

const assistant = () => ({ agents: { assistant: new BuiltInAgent({ model: 'openai:gpt-4o-mini' }) } });

@Module({
  imports: [
    // Runtime 'copilotkit' (named after its path): for every visitor.
    CopilotKitModule.forRootAsync({ useFactory: assistant }),
    // Runtime 'admin': signed-in staff only.
    CopilotKitModule.forRootAsync({ path: 'admin', guards: [JwtAuthGuard], imports: [AuthModule], useFactory: assistant }),
  ],
  providers: [OpsService],
})
export class OpsModule {}

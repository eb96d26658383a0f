import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { BuiltInAgent, CopilotKitModule, type CopilotKitModuleOptions, type CopilotKitOptionsFactory } from 'nestjs-copilotkit';

/** The runtime's options, from the app's configuration, by a class that DI builds. */
@Injectable()
export class CopilotOptions implements CopilotKitOptionsFactory {
  constructor(private readonly config: ConfigService) {}

  createCopilotKitOptions(): CopilotKitModuleOptions {
    const model = this.config.get<string>('COPILOT_MODEL', 'gpt-4o-mini');
    return { agents: { default: new BuiltInAgent({ model: `openai:${model}` }) } };
  }
}

@Module({
  imports: [CopilotKitModule.forRootAsync({ imports: [ConfigModule], useClass: CopilotOptions })],
})
export class ConfiguredCopilotModule {}

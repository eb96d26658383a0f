import { Controller, Get } from '@nestjs/common';
import { ModelProvider } from './agents/model.provider.js';

@Controller('api')
export class ConfigController {
  constructor(private readonly models: ModelProvider) {}

  /** Tells the page whether it talks to a real model, so it can say "demo mode" plainly. */
  @Get('config')
  config() {
    return { mode: this.models.mode };
  }
}

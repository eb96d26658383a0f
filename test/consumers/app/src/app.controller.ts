import { Body, Controller, Get, Post } from '@nestjs/common';

/** The app's own routes, to show that CopilotKit leaves their settings (such as the body limit) alone. */
@Controller()
export class AppController {
  @Get()
  hello(): string {
    return 'Hello World!';
  }

  @Post('echo')
  echo(@Body() body: unknown): { size: number } {
    return { size: JSON.stringify(body).length };
  }
}

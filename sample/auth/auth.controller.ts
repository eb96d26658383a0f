import { Body, Controller, HttpCode, NotFoundException, Post } from '@nestjs/common';
import { DEMO_USERS, tokenFor } from './demo-users.js';

@Controller('api')
export class AuthController {
  /** Demo login: pick a user, get a token. */
  @Post('login')
  @HttpCode(200)
  login(@Body() body: { user?: string }) {
    const user = DEMO_USERS.find((candidate) => candidate.id === body?.user);
    if (!user) throw new NotFoundException(`No demo user '${body?.user}'. Try ${DEMO_USERS.map((u) => u.id).join(' or ')}.`);
    return { token: tokenFor(user), user };
  }
}

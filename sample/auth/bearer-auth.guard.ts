import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { userForToken, type User } from './demo-users.js';

/** Authentication: a bearer token from the demo login becomes `request.user`. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: User }>();
    const user = userForToken(request.headers.authorization);
    if (!user) throw new UnauthorizedException('Sign in first.');
    request.user = user;
    return true;
  }
}

import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { TokenVerifier } from './auth.module.js';

@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(private readonly verifier: TokenVerifier) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: unknown }>();
    const user = this.verifier.verify(request.headers.authorization);
    if (!user) throw new UnauthorizedException();
    request.user = user;
    return true;
  }
}

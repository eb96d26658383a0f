import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    if (request.headers.authorization !== `Bearer ${process.env.APP_API_KEY ?? 'consumer-key'}`) {
      throw new UnauthorizedException('A valid API key is required.');
    }
    return true;
  }
}

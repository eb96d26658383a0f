import { Injectable, Module } from '@nestjs/common';

/** Stands in for an app's real token verification (e.g. @nestjs/jwt). */
@Injectable()
export class TokenVerifier {
  verify(token: string | undefined): { id: string; tenantId: string } | undefined {
    return token === 'Bearer demo-token' ? { id: 'user-1', tenantId: 'acme' } : undefined;
  }
}

@Module({ providers: [TokenVerifier], exports: [TokenVerifier] })
export class AuthModule {}

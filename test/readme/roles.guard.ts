import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

export const Roles = Reflector.createDecorator<string[]>();

/** An ordinary roles guard: it works on routes and on actions alike. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.get(Roles, context.getHandler()) ?? [];
    const user = context.switchToHttp().getRequest<{ user?: { roles: string[] } }>().user;
    return required.every((role) => user?.roles.includes(role));
  }
}

import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { User } from './demo-users.js';

export const Roles = Reflector.createDecorator<string[]>();

/** Authorization by role, the same on routes and on copilot actions. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.get(Roles, context.getHandler()) ?? [];
    const user = context.switchToHttp().getRequest<{ user?: User }>().user;
    return required.every((role) => user?.roles.includes(role));
  }
}

import { FastifyAdapter } from '@nestjs/platform-fastify';

export function httpAdapter(): FastifyAdapter {
  return new FastifyAdapter();
}

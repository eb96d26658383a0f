import { ExpressAdapter } from '@nestjs/platform-express';

export function httpAdapter(): ExpressAdapter {
  return new ExpressAdapter();
}

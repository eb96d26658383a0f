import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { httpAdapter } from './platform.js';

async function bootstrap() {
  const app = await NestFactory.create(AppModule, httpAdapter());
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  console.log(`listening on port ${(app.getHttpServer().address() as { port: number }).port}`);
}
void bootstrap();

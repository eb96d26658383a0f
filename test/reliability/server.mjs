// The app under the reliability suite, in its own process so that a crash, an unhandled rejection
// or a leak shows as what it is. It runs the built library (npm test builds dist/ first).
//   LLM_URL: the aimock server; RUNNER: memory | sqlite; DB: the SQLite file; GRACE_MS: drain time;
//   MAX_THREADS: the in-memory runner's bound, above what a test keeps, so eviction hides no leak
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import OpenAI from 'openai';
import {
  BuiltInAgent,
  CopilotKitModule,
  InMemoryAgentRunner,
  OpenAIAdapter,
  OpenAITranscriptionService,
  SqliteAgentRunner,
} from '../../dist/esm/index.js';

let unhandled = 0;
process.on('unhandledRejection', (reason) => {
  unhandled++;
  console.error('UNHANDLED REJECTION', reason);
});
process.on('uncaughtException', (error) => {
  console.error('UNCAUGHT EXCEPTION', error);
  process.exit(70);
});

const client = new OpenAI({ baseURL: `${process.env.LLM_URL}/v1`, apiKey: 'test', maxRetries: 0 });
const agent = new BuiltInAgent({ model: new OpenAIAdapter({ client, model: 'gpt-test' }), retry: { retries: 1, initialDelayMs: 5 } });
const runner =
  process.env.RUNNER === 'sqlite'
    ? new SqliteAgentRunner({ path: process.env.DB, shutdownGraceMs: Number(process.env.GRACE_MS ?? 10_000) })
    : new InMemoryAgentRunner({ maxThreads: Number(process.env.MAX_THREADS ?? 1000) });

/** Who is asking, from `x-user` (anyone without one is anonymous): the thread routes scope to it. */
class UserGuard {
  canActivate(context) {
    const request = context.switchToHttp().getRequest();
    const user = request.headers['x-user'];
    if (typeof user === 'string' && user.length > 0) request.user = { id: user };
    return true;
  }
}

const app = await NestFactory.create(
  CopilotKitModule.forRoot({
    agents: { default: agent },
    runner,
    transcription: new OpenAITranscriptionService({ client }),
    guards: [UserGuard],
  }),
  { logger: ['error'] },
);
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
// The fuzzing client blocks its own event loop while it builds 11 MB bodies, so it may reuse a
// keep-alive socket just as the server closes it for idleness (5 s by default): a race in the
// client, not an answer of the server. Idle sockets are kept for longer than the suite runs.
app.getHttpServer().keepAliveTimeout = 300_000;

// The test asks over IPC for figures that only the process itself knows.
process.on('message', (message) => {
  if (message !== 'stats') return;
  globalThis.gc?.();
  process.send({ stats: { unhandled, heapUsed: process.memoryUsage().heapUsed } });
});
process.send({ port: app.getHttpServer().address().port });

// One bench server: a Nest app with CopilotKitModule, a scripted agent (no LLM: the runner is what
// is measured) and the runner named on the command line. Reports its port over IPC.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Observable } from 'rxjs';
import { CopilotKitModule, InMemoryAgentRunner, RedisPostgresAgentRunner, SqliteAgentRunner } from '../dist/esm/index.js';

const [kind, options] = process.argv.slice(2);
const runner =
  kind === 'in-memory'
    ? new InMemoryAgentRunner({ maxThreads: 100_000 })
    : kind === 'sqlite'
      ? new SqliteAgentRunner(JSON.parse(options))
      : new RedisPostgresAgentRunner(JSON.parse(options));

/**
 * 40 text deltas, like a 400-character answer: emitted as fast as the runner takes them, or with
 * PACED_MS set, one every PACED_MS ms, as a model streams (so that many runs write at once).
 */
const PACED_MS = Number(process.env.PACED_MS ?? 0);
const scripted = {
  run(input) {
    return new Observable((subscriber) => {
      const messageId = `m-${input.runId}`;
      subscriber.next({ type: 'RUN_STARTED', threadId: input.threadId, runId: input.runId });
      subscriber.next({ type: 'TEXT_MESSAGE_START', messageId, role: 'assistant' });
      const end = () => {
        subscriber.next({ type: 'TEXT_MESSAGE_END', messageId });
        subscriber.next({ type: 'RUN_FINISHED', threadId: input.threadId, runId: input.runId });
        subscriber.complete();
      };
      const delta = () => subscriber.next({ type: 'TEXT_MESSAGE_CONTENT', messageId, delta: 'ten chars ' });
      if (!PACED_MS) {
        for (let i = 0; i < 40; i++) delta();
        return end();
      }
      let sent = 0;
      const timer = setInterval(() => {
        delta();
        if (++sent < 40) return;
        clearInterval(timer);
        end();
      }, PACED_MS);
      return () => clearInterval(timer);
    });
  },
};

const app = await NestFactory.create(CopilotKitModule.forRoot({ agents: { scripted }, runner }), { logger: false });
await app.listen(0, '127.0.0.1');
process.send({ port: app.getHttpServer().address().port });
process.on('message', async (message) => {
  if (message === 'stop') {
    await app.close();
    process.exit(0);
  }
});

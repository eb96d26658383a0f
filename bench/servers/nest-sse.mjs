// Nest's share of a stream: the floor's relay (relay.mjs) returned as an Observable from a bare Nest
// @Sse() POST route on Express, with Nest's JSON body parser. No guard, no validation, no runner: what
// any Nest app pays for an event stream through @Sse(), and so the most this project can reach
// while its streams go through @Sse() (see issue 14). Each turn's events leave in one write, through
// the project's own coalesceWrites, as its routes do: without that, Nest's one write per event
// makes this relay slower than the project, which would be no ceiling.
import 'reflect-metadata';
import { Body, Res, Controller, HttpCode, Module, RequestMethod, Sse } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Observable } from 'rxjs';
import { coalesceWrites } from '../../dist/esm/http/write-coalescing.js';
import { relay } from './relay.mjs';

class RelayController {
  run(input, response) {
    const events = new Observable((subscriber) => {
      relay(input, (event) => subscriber.next({ data: event }))
        .catch((error) => subscriber.next({ data: { type: 'RUN_ERROR', message: String(error?.message ?? error) } }))
        .finally(() => subscriber.complete());
    });
    return coalesceWrites(events, response);
  }
}
const run = Object.getOwnPropertyDescriptor(RelayController.prototype, 'run');
Reflect.decorate(
  [Sse('copilotkit/agent/default/run', { method: RequestMethod.POST }), HttpCode(200)],
  RelayController.prototype,
  'run',
  run,
);
Body()(RelayController.prototype, 'run', 0);
Res({ passthrough: true })(RelayController.prototype, 'run', 1);
Controller()(RelayController);

class RelayModule {}
Module({ controllers: [RelayController] })(RelayModule);

const app = await NestFactory.create(RelayModule, { logger: ['error'] });
await app.listen(0, '127.0.0.1');
// Exit on SIGINT so that --cpu-prof can write its profile.
process.on('SIGINT', () => process.exit(0));
process.send({ port: app.getHttpServer().address().port });

// The floor: the relay (relay.mjs) served from bare node:http, one write per event.
import { createServer } from 'node:http';
import { relay } from './relay.mjs';

const server = createServer(async (request, response) => {
  let body = '';
  for await (const chunk of request) body += chunk;
  const input = JSON.parse(body);
  const send = (event) => response.write(`data: ${JSON.stringify(event)}\n\n`);
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  try {
    await relay(input, send);
  } catch (error) {
    // What any relay must do at least: a failed model call ends the stream instead of the process.
    send({ type: 'RUN_ERROR', message: String(error?.message ?? error) });
  }
  response.end();
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
// Exit on SIGINT so that --cpu-prof can write its profile.
process.on('SIGINT', () => process.exit(0));

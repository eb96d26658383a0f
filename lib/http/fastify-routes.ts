import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { SetMetadata, UnsupportedMediaTypeException, type Type } from '@nestjs/common';
import { DRAIN_LIMIT_FACTOR, payloadTooLargeBody } from './payload-too-large.js';

/**
 * The route config key of `@RouteConfig()` (`@nestjs/platform-fastify`, which only Fastify apps
 * install): Nest's FastifyAdapter passes it to Fastify as the route's `config`.
 */
const FASTIFY_ROUTE_CONFIG_METADATA = '__fastify_route_config__';

interface CopilotKitRouteConfig {
  copilotkit?: { mountPath: string };
}

/** The parts of a Fastify instance used here; `fastify` itself is not a dependency of this package. */
interface FastifyRequestLike {
  headers: IncomingHttpHeaders;
  raw: IncomingMessage;
  routeOptions?: { config?: CopilotKitRouteConfig };
}
interface FastifyHookReply {
  code(status: number): FastifyHookReply;
  header(name: string, value: string): FastifyHookReply;
  send(body: unknown): unknown;
}
type Done = (error?: Error | null) => void;
type RequestHook = (request: FastifyRequestLike, reply: FastifyHookReply, done: Done) => void;
interface FastifyRouteOptions {
  config?: CopilotKitRouteConfig;
  bodyLimit?: number;
  onRequest?: RequestHook | RequestHook[];
}
export interface FastifyInstanceLike {
  addHook(name: 'onRoute', hook: (route: FastifyRouteOptions) => void): unknown;
  addHook(name: 'onReady', hook: (done: Done) => void): unknown;
  hasContentTypeParser(type: string): boolean;
  addContentTypeParser(
    type: string,
    parser: (request: FastifyRequestLike, payload: unknown, done: (error: Error | null, body?: unknown) => void) => void,
  ): unknown;
}

/** Tags every handler of a CopilotKit controller, so the hooks below find its routes (and only them). */
export function markCopilotKitRoutes(controller: Type<unknown>, mountPath: string): void {
  const config: CopilotKitRouteConfig = { copilotkit: { mountPath } };
  for (const key of Object.getOwnPropertyNames(controller.prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(controller.prototype, key)!;
    if (key === 'constructor' || typeof descriptor.value !== 'function') continue;
    SetMetadata(FASTIFY_ROUTE_CONFIG_METADATA, config)(controller.prototype, key, descriptor);
  }
}

/**
 * What the CopilotKit routes need from Fastify, scoped to those routes so the rest of the app keeps
 * its own settings:
 * - their body limit (`bodyLimit`) instead of Fastify's 1 MiB, set per route as routes are
 *   registered (which is why this runs from a provider's constructor: Nest registers routes before
 *   any lifecycle hook). A declared length past it gets the same 413 as on Express, after the
 *   body is drained, where Fastify would close the socket on a client still sending;
 * - a body-less POST with `Content-Type: application/json` (what the CopilotKit client sends to
 *   `/stop`) reaches the handler instead of Fastify's 400 for an empty JSON body;
 * - `multipart/form-data` reaches `/transcribe`, which reads the stream itself. The parser is added
 *   once every plugin has loaded (`onReady`), and only if the app has none: an app that registers
 *   `@fastify/multipart` keeps it (its parser leaves the stream unread, which is all we need), and
 *   other routes still answer 415, through the app's exception filters.
 */
export function installFastifyRoutes(fastify: FastifyInstanceLike, mountPath: string, bodyLimitBytes: number): void {
  fastify.addHook('onRoute', (route) => {
    if (route.config?.copilotkit?.mountPath !== mountPath) return;
    route.bodyLimit = bodyLimitBytes;
    const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...existing, refuseOversizedBody(bodyLimitBytes), acceptEmptyJsonBody];
  });
  fastify.addHook('onReady', (done) => {
    if (!fastify.hasContentTypeParser('multipart/form-data')) {
      fastify.addContentTypeParser('multipart/form-data', (request, _payload, parsed) =>
        request.routeOptions?.config?.copilotkit ? parsed(null) : parsed(new UnsupportedMediaTypeException()),
      );
    }
    done();
  });
}

function refuseOversizedBody(limitBytes: number): RequestHook {
  return (request, reply, done) => {
    const declared = Number(request.headers['content-length']);
    if (!(declared > limitBytes)) return done();
    const body = payloadTooLargeBody(limitBytes);
    if (declared > DRAIN_LIMIT_FACTOR * limitBytes) {
      reply.code(413).header('connection', 'close').send(body);
      return;
    }
    request.raw.resume();
    request.raw.once('end', () => reply.code(413).send(body));
  };
}

/** Fastify skips parsing for a request with no body and no content type; it fails one with a content type. */
const acceptEmptyJsonBody: RequestHook = (request, _reply, done) => {
  const { headers } = request;
  if (headers['transfer-encoding'] === undefined && (headers['content-length'] === undefined || headers['content-length'] === '0')) {
    delete headers['content-type'];
  }
  done();
};

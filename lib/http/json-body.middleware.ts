import type { IncomingMessage, ServerResponse } from 'node:http';
import { DRAIN_LIMIT_FACTOR, payloadTooLargeBody } from './payload-too-large.js';
import { removeProtoKeys } from '../runtime/run-input.parser.js';
import { BODY_NOT_JSON } from './http.messages.js';

const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PATCH']);

type Request = IncomingMessage & { body?: unknown; _body?: boolean; originalUrl?: string };

/**
 * A JSON body reader for the CopilotKit routes only, with their own size limit. Conversations
 * carry the whole history and images, far beyond Express's 100 kB default; raising the app-wide
 * limit for that would loosen every other route. Installed ahead of Nest's parser, which then
 * sees the body as already read (`_body`) and leaves it alone. PATCH too (the thread routes), so
 * that `__proto__` keys are removed from every CopilotKit JSON body as it is read (see
 * `removeProtoKeys`); on Fastify the app's own parser reads them, and refuses such keys by default.
 */
export function createJsonBodyMiddleware(mountPath: string, limitBytes: number) {
  const segment = `/${mountPath}`;
  const covers = (url: string) => {
    const path = url.split('?')[0];
    return mountPath === '' || path.endsWith(segment) || path.includes(`${segment}/`);
  };
  return (request: Request, response: ServerResponse, next: (error?: unknown) => void): void => {
    // The media type only: a multipart boundary may contain "json" too.
    const media = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (
      request._body ||
      !BODY_METHODS.has(request.method ?? '') ||
      !/[/+]json$/.test(media) ||
      !covers(request.originalUrl ?? request.url ?? '')
    ) {
      return next();
    }
    const tooLarge = payloadTooLargeBody(limitBytes);
    if (Number(request.headers['content-length']) > DRAIN_LIMIT_FACTOR * limitBytes) return reject(response, tooLarge, true);
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (overflow) return;
      if (size > limitBytes) {
        overflow = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', (error) => {
      failed = true;
      next(error);
    });
    request.on('end', () => {
      if (failed) return;
      if (overflow) return reject(response, tooLarge);
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        // An empty body is `{}`: the client posts `/stop` with none.
        request.body = text.length === 0 ? {} : JSON.parse(text);
      } catch {
        return reject(response, { statusCode: 400, error: 'Bad Request', message: BODY_NOT_JSON });
      }
      // A `__proto__` key needs the text to hold it, spelled out or escaped; most bodies hold
      // neither, and are not walked a second time here (the run-input parser walks run bodies).
      if (text.includes('__proto__') || text.includes('\\u')) removeProtoKeys(request.body);
      request._body = true;
      next();
    });
  };
}

function reject(response: ServerResponse, body: { statusCode: number; error: string; message: string }, close = false): void {
  if (response.headersSent) return;
  response.writeHead(body.statusCode, { 'Content-Type': 'application/json; charset=utf-8', ...(close && { Connection: 'close' }) });
  response.end(JSON.stringify(body));
}

import { HttpException, HttpStatus } from '@nestjs/common';
import { InvalidRequestException } from '../errors/invalid-request.exception.js';
import { idProblem } from '../runners/thread-id.js';
import { TranscriptionException } from '../transcription/transcription.exception.js';
import {
  ENVELOPE_NOT_AN_OBJECT,
  INVALID_ENVELOPE_PARAM,
  INVALID_ID_PARAM,
  MISSING_ENVELOPE_METHOD,
  MISSING_RUN_INPUT,
  MISSING_TRANSCRIBE_BODY,
  NOT_JSON_ENVELOPE,
  UNSUPPORTED_ENVELOPE_METHOD,
} from './http.messages.js';

/** Methods of the single-route transport (`POST {path}` with `{ method, params, body }`) served here. */
export type EnvelopeMethod = 'info' | 'agent/run' | 'agent/suggest' | 'agent/connect' | 'agent/stop' | 'transcribe';

export interface SingleRouteEnvelope {
  method: EnvelopeMethod;
  agentId: string;
  threadId: string;
  body: unknown;
}

const SERVED: ReadonlySet<string> = new Set<EnvelopeMethod>([
  'info',
  'agent/run',
  'agent/suggest',
  'agent/connect',
  'agent/stop',
  'transcribe',
]);
/** Methods whose `body` is a RunAgentInput. */
const RUN_INPUT_METHODS: ReadonlySet<string> = new Set<EnvelopeMethod>(['agent/run', 'agent/suggest', 'agent/connect']);

/**
 * Reads the single-route envelope the CopilotKit client sends when it cannot reach `GET /info`
 * (or is told to use one endpoint). Errors are 4xx JSON, as every other pre-stream error.
 */
export function parseSingleRouteEnvelope(contentType: string | undefined, payload: unknown): SingleRouteEnvelope {
  if (!contentType?.toLowerCase().includes('application/json')) {
    throw new HttpException(
      {
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: NOT_JSON_ENVELOPE,
      },
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    );
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new InvalidRequestException(ENVELOPE_NOT_AN_OBJECT);
  }
  const { method, params, body } = payload as { method?: unknown; params?: unknown; body?: unknown };
  if (typeof method !== 'string' || method.length === 0) throw new InvalidRequestException(MISSING_ENVELOPE_METHOD);
  if (!SERVED.has(method)) {
    throw new InvalidRequestException(UNSUPPORTED_ENVELOPE_METHOD(method, SERVED));
  }
  const paramsRecord = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  const envelope: SingleRouteEnvelope = { method: method as EnvelopeMethod, agentId: '', threadId: '', body };
  if (method.startsWith('agent/')) envelope.agentId = requiredParam(paramsRecord, 'agentId');
  if (method === 'agent/stop') {
    envelope.threadId = requiredParam(paramsRecord, 'threadId');
    const problem = idProblem(envelope.threadId);
    if (problem) throw new InvalidRequestException(INVALID_ID_PARAM('params.threadId', problem));
  }
  if (RUN_INPUT_METHODS.has(method) && (body === undefined || body === null)) {
    throw new InvalidRequestException(MISSING_RUN_INPUT(method));
  }
  if (method === 'transcribe' && (body === undefined || body === null)) {
    // In the shape the client reads for transcription errors.
    throw new TranscriptionException('invalid_request', MISSING_TRANSCRIBE_BODY);
  }
  return envelope;
}

function requiredParam(params: Record<string, unknown>, key: string): string {
  const value = params[key];
  if (typeof value !== 'string' || value.trim().length === 0) throw new InvalidRequestException(INVALID_ENVELOPE_PARAM(key));
  return value;
}

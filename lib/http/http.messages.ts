export const NOT_JSON_ENVELOPE = 'The single-route endpoint expects a JSON body (Content-Type: application/json).';

export const ENVELOPE_NOT_AN_OBJECT = 'The body must be a JSON object: { method, params, body }.';

export const MISSING_ENVELOPE_METHOD = "Missing 'method' field.";

export const UNSUPPORTED_ENVELOPE_METHOD = (method: string, served: Iterable<string>) =>
  `Unsupported method '${method}'. This server serves: ${[...served].join(', ')}.`;

export const MISSING_RUN_INPUT = (method: string) => `Missing 'body' for '${method}': it carries the RunAgentInput.`;

export const MISSING_TRANSCRIBE_BODY = "Missing 'body' for 'transcribe': it carries { audio (base64), mimeType, filename }.";

export const INVALID_ENVELOPE_PARAM = (key: string) => `Missing or invalid parameter 'params.${key}'.`;

export const UNSUPPORTED_AUDIO_UPLOAD =
  "Send the audio as multipart/form-data with an 'audio' file field, or as JSON { audio: base64, mimeType, filename }.";

export const SERVICE_RETURNED_NO_TEXT = 'The transcription service returned no text.';

export const TRANSCRIPTION_FAILED = (code: string, cause: string) => `Transcription failed (${code})${cause ? `: ${cause}` : ''}`;

export const PAYLOAD_TOO_LARGE = (limitBytes: number) => `The request body is larger than the limit of ${limitBytes} bytes.`;

export const BODY_NOT_JSON = 'The request body is not valid JSON.';

export const METHOD_NOT_ALLOWED = (allow: string) => `Use ${allow} on this route.`;

export const BODY_LIMIT_NOT_APPLIED = (adapterType: string) =>
  `bodyLimit applies on Express and Fastify; on ${adapterType}, set the adapter's own body limit.`;

export const STREAM_EVENT_SERIALIZED_WHOLE =
  'A CopilotKit stream event was serialized whole, which is what an interceptor that wraps every response does: ' +
  'the AG-UI clients cannot read such a stream. Let CopilotKit streams through it unchanged: ' +
  "`if (isCopilotKitStream(context)) return next.handle();` (from 'nestjs-copilotkit'). " +
  'An interceptor that only logs events should log `event.data`, the AG-UI event.';

export const EVENT_STREAM_FAILED_LOG = (reason: string) => `Event stream failed: ${reason}`;

/** The RUN_ERROR a client gets for it: the log's reason may carry internals. */
export const EVENT_STREAM_FAILED = 'The event stream failed.';

export const PARAM_NOT_SINGLE = (name: string) => `'${name}' must be given once, as a single value.`;

export const INVALID_ID_PARAM = (name: string, problem: string) => `'${name}' ${problem}`;

export const CURSOR_TOO_LONG = (maxLength: number) => `'cursor' must be at most ${maxLength} characters long.`;

export const STOP_ON_DISCONNECT_FAILED = (runId: string, reason: string) =>
  `Could not stop run '${runId}' after its client left (cancelRunOnDisconnect): ${reason}`;

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException, Logger } from '@nestjs/common';
import { decodeBase64Audio, readMultipartAudio, type AudioUpload } from '../transcription/audio-upload.js';
import { TranscriptionException } from '../transcription/transcription.exception.js';
import type { TranscriptionService } from '../transcription/transcription.service.js';
import { SERVICE_RETURNED_NO_TEXT, TRANSCRIPTION_FAILED, UNSUPPORTED_AUDIO_UPLOAD } from './http.messages.js';

const logger = new Logger('TranscriptionService');

/** The audio of a `/transcribe` request: a multipart `audio` file, as the CopilotKit client sends it, or base64 JSON. */
export function readAudio(request: IncomingMessage, body: unknown, maxBytes: number): Promise<AudioUpload> {
  const contentType = request.headers['content-type'] ?? '';
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  if (media === 'multipart/form-data') return readMultipartAudio(request, contentType, maxBytes);
  if (media === 'application/json' || media.endsWith('+json')) return Promise.resolve(decodeBase64Audio(body, maxBytes));
  throw new TranscriptionException('invalid_request', UNSUPPORTED_AUDIO_UPLOAD);
}

/**
 * Runs the service on the audio `read` gives and returns the body of the answer. Fails with a
 * `TranscriptionException` (503 before reading anything when there is no service); auth, rate-limit
 * and 5xx failures reach the client with a fixed message, their cause only the log.
 */
export async function transcribe(
  service: TranscriptionService | undefined,
  read: () => Promise<AudioUpload>,
  request: unknown,
  response: ServerResponse,
  setHeader: (name: string, value: string) => void,
): Promise<{ text: string; size: number; type: string }> {
  try {
    if (!service) throw new TranscriptionException('service_not_configured');
    const upload = await read();
    let text: unknown;
    try {
      text = await service.transcribe({ ...upload, request, signal: abortedWhenGone(response) });
    } catch (error) {
      throw error instanceof HttpException ? error : TranscriptionException.from(error);
    }
    if (typeof text !== 'string') throw new TranscriptionException('provider_error', SERVICE_RETURNED_NO_TEXT);
    return { text, size: upload.size, type: upload.mimeType };
  } catch (error) {
    if (error instanceof TranscriptionException) {
      if (error.retryAfterSeconds !== undefined) setHeader('Retry-After', String(error.retryAfterSeconds));
      if (
        error.code !== 'service_not_configured' &&
        (error.getStatus() >= 500 || error.code === 'auth_failed' || error.code === 'rate_limited')
      ) {
        const cause = error.cause instanceof Error ? error.cause.message : error.cause === undefined ? '' : String(error.cause);
        logger.warn(TRANSCRIPTION_FAILED(error.code, cause));
      }
    }
    throw error;
  }
}

/** Aborted when the client leaves before its answer is sent, so the provider call stops too. */
function abortedWhenGone(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  if (response.destroyed && !response.writableFinished) controller.abort();
  else response.once('close', () => !response.writableFinished && controller.abort());
  return controller.signal;
}

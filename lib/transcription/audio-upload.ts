import type { IncomingMessage } from 'node:http';
import { TranscriptionException } from './transcription.exception.js';
import {
  AUDIO_EMPTY,
  AUDIO_FIELD_IS_TEXT,
  AUDIO_OVER_LIMIT,
  BASE64_BODY_NOT_AN_OBJECT,
  BODY_ALREADY_READ,
  DATA_URL_NOT_BASE64,
  FILENAME_NOT_A_STRING,
  INVALID_BASE64,
  MIME_TYPE_NOT_A_STRING,
  MISSING_AUDIO_FILE,
  MISSING_BASE64_AUDIO,
  MULTIPART_UNPARSABLE,
  MULTIPART_WITHOUT_BOUNDARY,
  UNSUPPORTED_AUDIO_TYPE,
  UPLOAD_ABORTED,
  UPLOAD_FAILED,
} from './transcription.messages.js';

/** An audio file read from a `/transcribe` request and checked. */
export interface AudioUpload {
  audio: Buffer;
  /** Accepted type, parameters kept (`audio/webm;codecs=opus`). */
  mimeType: string;
  filename: string;
  size: number;
}

/** OpenAI's limit on an uploaded file: 25 MB. */
export const DEFAULT_MAX_AUDIO_BYTES = 25 * 1024 * 1024;

/** The part headers and boundaries around the file in a multipart body. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** Accepted base types and the file extension each is sent under (providers read the format from it). */
const AUDIO_TYPES: Readonly<Record<string, string>> = {
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/mp4': 'mp4',
  'audio/wav': 'wav',
  'audio/webm': 'webm',
  'audio/ogg': 'ogg',
  'audio/flac': 'flac',
  'audio/aac': 'aac',
  // The names some platforms give the same formats (iOS records m4a, Windows names wav x-wav).
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/x-m4a': 'm4a',
  'audio/m4a': 'm4a',
  'audio/mpga': 'mpga',
  'audio/x-flac': 'flac',
};

/** What the CopilotKit client records; the type of audio sent without one. */
const DEFAULT_AUDIO_TYPE = 'audio/webm';

/** The accepted type for what the client declared, or an `invalid_audio_format` error. */
export function acceptAudioType(declared: string): string {
  const type = declared.trim();
  const base = type.split(';')[0]!.trim().toLowerCase();
  if (base === '' || base === 'application/octet-stream') return DEFAULT_AUDIO_TYPE;
  if (!(base in AUDIO_TYPES)) {
    throw new TranscriptionException('invalid_audio_format', UNSUPPORTED_AUDIO_TYPE(base, [...new Set(Object.keys(AUDIO_TYPES))]));
  }
  return type;
}

/** The extension files of this (accepted) type are sent under, `webm` for an unknown one. */
export function audioExtension(mimeType: string): string {
  return AUDIO_TYPES[mimeType.split(';')[0]!.trim().toLowerCase()] ?? 'webm';
}

/** `filename` if it has an extension, else it (or `recording`) with the one of `mimeType`. */
export function audioFilename(filename: string | undefined, mimeType: string): string {
  const name = (filename ?? '').replace(/[\\/]/g, '_').trim();
  if (/\.[A-Za-z0-9]{2,5}$/.test(name)) return name;
  return `${name || 'recording'}.${audioExtension(mimeType)}`;
}

/**
 * Reads the `audio` file of a `multipart/form-data` body, as the CopilotKit client posts it. The
 * body is read up to `maxAudioBytes` (plus room for the part headers): past that the answer is 413
 * and the rest of the body is read and dropped, so the client gets to read it.
 */
export async function readMultipartAudio(request: IncomingMessage, contentType: string, maxAudioBytes: number): Promise<AudioUpload> {
  if (!/;\s*boundary=/i.test(contentType)) {
    throw new TranscriptionException('invalid_request', MULTIPART_WITHOUT_BOUNDARY);
  }
  const limit = maxAudioBytes + MULTIPART_OVERHEAD_BYTES;
  if (Number(request.headers['content-length']) > limit) throw tooLarge(maxAudioBytes);
  const body = await readBody(request, limit, maxAudioBytes);
  let form: FormData;
  try {
    // Node's own multipart parser (undici's, behind the web Response): no extra dependency.
    form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new TranscriptionException('invalid_request', MULTIPART_UNPARSABLE);
  }
  const file = form.get('audio');
  if (file === null) throw new TranscriptionException('invalid_request', MISSING_AUDIO_FILE);
  if (typeof file === 'string') throw new TranscriptionException('invalid_request', AUDIO_FIELD_IS_TEXT);
  return checked(Buffer.from(await file.arrayBuffer()), file.type, file.name, maxAudioBytes);
}

/**
 * Reads `{ audio, mimeType, filename? }` with base64 audio (a `data:` URL too), as the CopilotKit
 * client sends it through the single-route endpoint.
 */
export function decodeBase64Audio(body: unknown, maxAudioBytes: number): AudioUpload {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TranscriptionException('invalid_request', BASE64_BODY_NOT_AN_OBJECT);
  }
  const { audio, mimeType, filename } = body as { audio?: unknown; mimeType?: unknown; filename?: unknown };
  if (typeof audio !== 'string') throw new TranscriptionException('invalid_request', MISSING_BASE64_AUDIO);
  if (mimeType !== undefined && mimeType !== null && typeof mimeType !== 'string') {
    throw new TranscriptionException('invalid_request', MIME_TYPE_NOT_A_STRING);
  }
  if (filename !== undefined && filename !== null && typeof filename !== 'string') {
    throw new TranscriptionException('invalid_request', FILENAME_NOT_A_STRING);
  }
  let data = audio;
  let dataUrlType: string | undefined;
  const dataUrl = /^data:([^,]*),/i.exec(audio);
  if (dataUrl) {
    const header = dataUrl[1]!.split(';');
    if (header.at(-1)!.trim().toLowerCase() !== 'base64') {
      throw new TranscriptionException('invalid_request', DATA_URL_NOT_BASE64);
    }
    dataUrlType = header.slice(0, -1).join(';');
    data = audio.slice(dataUrl[0].length);
  }
  const clean = data.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.length % 4 === 1) {
    throw new TranscriptionException('invalid_request', INVALID_BASE64);
  }
  // Checked before decoding, so an oversized upload costs no second copy.
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  if (Math.floor((clean.length * 3) / 4) - padding > maxAudioBytes) throw tooLarge(maxAudioBytes);
  // Node's base64 decoder reads the URL-safe alphabet too.
  const bytes = Buffer.from(clean, 'base64');
  return checked(bytes, mimeType || dataUrlType || '', filename ?? undefined, maxAudioBytes);
}

function checked(audio: Buffer, declaredType: string, filename: string | undefined, maxAudioBytes: number): AudioUpload {
  const mimeType = acceptAudioType(declaredType);
  if (audio.length === 0) throw new TranscriptionException('audio_too_short', AUDIO_EMPTY);
  if (audio.length > maxAudioBytes) throw tooLarge(maxAudioBytes);
  return { audio, mimeType, filename: audioFilename(filename, mimeType), size: audio.length };
}

function tooLarge(maxAudioBytes: number): TranscriptionException {
  return new TranscriptionException('audio_too_large', AUDIO_OVER_LIMIT(maxAudioBytes));
}

function readBody(request: IncomingMessage, limit: number, maxAudioBytes: number): Promise<Buffer> {
  if (request.readableEnded) {
    return Promise.reject(new TranscriptionException('invalid_request', BODY_ALREADY_READ));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: () => void) => {
      request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // The stream stays flowing without listeners: the rest is read and dropped.
      settle(() => reject(tooLarge(maxAudioBytes)));
      request.resume();
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks, size)));
    const onError = (error: Error) => settle(() => reject(new TranscriptionException('invalid_request', UPLOAD_FAILED, { cause: error })));
    const onClose = () => settle(() => reject(new TranscriptionException('invalid_request', UPLOAD_ABORTED)));
    request.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

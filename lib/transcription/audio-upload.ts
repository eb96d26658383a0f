import type { IncomingMessage } from 'node:http';
import { TranscriptionError } from './transcription.service.js';

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
    throw new TranscriptionError(
      'invalid_audio_format',
      `Unsupported audio type '${base}'. Supported: ${[...new Set(Object.keys(AUDIO_TYPES))].join(', ')}.`,
    );
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
    throw new TranscriptionError('invalid_request', 'The multipart body has no boundary in its Content-Type.');
  }
  const limit = maxAudioBytes + MULTIPART_OVERHEAD_BYTES;
  if (Number(request.headers['content-length']) > limit) throw tooLarge(maxAudioBytes);
  const body = await readBody(request, limit, maxAudioBytes);
  let form: FormData;
  try {
    // Node's own multipart parser (undici's, behind the web Response): no extra dependency.
    form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new TranscriptionError('invalid_request', 'The multipart body could not be parsed.');
  }
  const file = form.get('audio');
  if (file === null) throw new TranscriptionError('invalid_request', "Missing the 'audio' file field.");
  if (typeof file === 'string') throw new TranscriptionError('invalid_request', "The 'audio' field must be a file, not text.");
  return checked(Buffer.from(await file.arrayBuffer()), file.type, file.name, maxAudioBytes);
}

/**
 * Reads `{ audio, mimeType, filename? }` with base64 audio (a `data:` URL too), as the CopilotKit
 * client sends it through the single-route endpoint.
 */
export function decodeBase64Audio(body: unknown, maxAudioBytes: number): AudioUpload {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TranscriptionError('invalid_request', 'The body must be a JSON object: { audio, mimeType, filename }.');
  }
  const { audio, mimeType, filename } = body as { audio?: unknown; mimeType?: unknown; filename?: unknown };
  if (typeof audio !== 'string') throw new TranscriptionError('invalid_request', "Missing 'audio': the audio as a base64 string.");
  if (mimeType !== undefined && mimeType !== null && typeof mimeType !== 'string') {
    throw new TranscriptionError('invalid_request', "'mimeType' must be a string.");
  }
  if (filename !== undefined && filename !== null && typeof filename !== 'string') {
    throw new TranscriptionError('invalid_request', "'filename' must be a string.");
  }
  let data = audio;
  let dataUrlType: string | undefined;
  const dataUrl = /^data:([^,]*),/i.exec(audio);
  if (dataUrl) {
    const header = dataUrl[1]!.split(';');
    if (header.at(-1)!.trim().toLowerCase() !== 'base64') {
      throw new TranscriptionError('invalid_request', "A data: URL in 'audio' must be base64 (data:<type>;base64,...).");
    }
    dataUrlType = header.slice(0, -1).join(';');
    data = audio.slice(dataUrl[0].length);
  }
  const clean = data.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.length % 4 === 1) {
    throw new TranscriptionError('invalid_request', "'audio' is not valid base64.");
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
  if (audio.length === 0) throw new TranscriptionError('audio_too_short', 'The audio file is empty.');
  if (audio.length > maxAudioBytes) throw tooLarge(maxAudioBytes);
  return { audio, mimeType, filename: audioFilename(filename, mimeType), size: audio.length };
}

function tooLarge(maxAudioBytes: number): TranscriptionError {
  return new TranscriptionError('audio_too_large', `The audio file is larger than the limit of ${maxAudioBytes} bytes.`);
}

function readBody(request: IncomingMessage, limit: number, maxAudioBytes: number): Promise<Buffer> {
  if (request.readableEnded) {
    return Promise.reject(new TranscriptionError('invalid_request', 'The request body was already read by another middleware.'));
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
    const onError = (error: Error) =>
      settle(() => reject(new TranscriptionError('invalid_request', 'The upload failed.', { cause: error })));
    const onClose = () =>
      settle(() => reject(new TranscriptionError('invalid_request', 'The client closed the connection during the upload.')));
    request.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

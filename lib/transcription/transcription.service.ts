/** One audio file to turn into text, as `POST {path}/transcribe` received it. */
export interface TranscriptionInput {
  /** The audio bytes. */
  audio: Buffer;
  /**
   * Its MIME type as the client sent it, parameters included (`audio/webm;codecs=opus`). An empty
   * type or `application/octet-stream` arrives as `audio/webm`, what the CopilotKit client records.
   */
  mimeType: string;
  /** The file name (`recording.webm` from the CopilotKit client); made up from the type when none was sent. */
  filename: string;
  /** `audio.length`. */
  size: number;
  /** The platform request: what guards and hooks set on it (`request.user`) is there. */
  request: unknown;
  /** Aborted when the client goes away: pass it on to the provider call. */
  signal: AbortSignal;
}

/**
 * Turns recorded audio into text for the CopilotKit voice input. Give one as
 * `forRoot({ transcription })`, or provide it under this class as the token where the module can
 * see it (a global module, or one in `imports`). `OpenAITranscriptionService` is one.
 *
 * Throw a `TranscriptionException` to answer with a given code (a Nest `HttpException` is answered as
 * it is); any other error is classified by its HTTP `status` when it has one (most provider SDKs
 * set it), else answered as `provider_error`.
 */
export abstract class TranscriptionService {
  abstract transcribe(input: TranscriptionInput): Promise<string>;
}

import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import { isInstalled } from '../platform/package-require.cjs';
import { audioFilename } from './audio-upload.js';
import { TranscriptionException } from './transcription.exception.js';
import {
  INVALID_OPENAI_CLIENT,
  INVALID_OPENAI_MODEL,
  MISSING_OPENAI_API_KEY,
  MISSING_OPENAI_PACKAGE,
  OPENAI_CLIENT_AND_API_KEY,
  PROVIDER_ANSWERED_WITHOUT_TEXT,
} from './transcription.messages.js';
import { TranscriptionService, type TranscriptionInput } from './transcription.service.js';

/** What the service uses of an `OpenAI` client from the `openai` package (or a compatible one). */
export interface OpenAITranscriptionClientLike {
  audio: {
    transcriptions: {
      create(
        body: { file: File; model: string; language?: string; prompt?: string },
        options?: { signal?: AbortSignal },
      ): PromiseLike<unknown>;
    };
  };
}

export interface OpenAITranscriptionServiceOptions {
  /** Your own client: `new OpenAI({ apiKey, baseURL })`, Azure, Groq and other compatible servers. */
  client?: OpenAITranscriptionClientLike | Promise<OpenAITranscriptionClientLike>;
  /** Without `client`: the key of a client made here (needs the `openai` package). Default: `OPENAI_API_KEY`. */
  apiKey?: string;
  /** Default `whisper-1`; `gpt-4o-transcribe` and `gpt-4o-mini-transcribe` answer the same way. */
  model?: string;
  /** ISO-639-1 language of the audio (`en`), which improves accuracy and speed. */
  language?: string;
  /** Text to guide the model: vocabulary, names, the previous sentence. */
  prompt?: string;
}

/**
 * Transcribes with OpenAI's `audio/transcriptions` API (Whisper by default), through the `openai`
 * SDK. Provider errors are classified by HTTP status (`TranscriptionException.from`).
 *
 * ```ts
 * CopilotKitModule.forRoot({ transcription: new OpenAITranscriptionService({ client: new OpenAI() }) })
 * ```
 */
export class OpenAITranscriptionService extends TranscriptionService {
  readonly model: string;
  private readonly client: OpenAITranscriptionClientLike | Promise<OpenAITranscriptionClientLike>;

  constructor(private readonly options: OpenAITranscriptionServiceOptions = {}) {
    super();
    if (options.model !== undefined && (typeof options.model !== 'string' || options.model.length === 0)) {
      throw new CopilotKitConfigurationError(INVALID_OPENAI_MODEL);
    }
    this.model = options.model ?? 'whisper-1';
    if (options.client !== undefined) {
      if (options.apiKey !== undefined) throw new CopilotKitConfigurationError(OPENAI_CLIENT_AND_API_KEY);
      const client = options.client as Partial<OpenAITranscriptionClientLike> | Promise<unknown>;
      if (!(client instanceof Promise) && typeof client?.audio?.transcriptions?.create !== 'function') {
        throw new CopilotKitConfigurationError(INVALID_OPENAI_CLIENT);
      }
      this.client = options.client;
      return;
    }
    // Everything that can be wrong is found at boot; the client itself is made on first use.
    const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;
    if (!apiKey) {
      throw new CopilotKitConfigurationError(MISSING_OPENAI_API_KEY);
    }
    if (!isInstalled('openai')) {
      throw new CopilotKitConfigurationError(MISSING_OPENAI_PACKAGE);
    }
    let created: Promise<OpenAITranscriptionClientLike> | undefined;
    this.client = {
      audio: {
        transcriptions: {
          create: async (body, requestOptions) => {
            created ??= import('openai').then(({ default: OpenAI }) => new OpenAI({ apiKey }) as unknown as OpenAITranscriptionClientLike);
            return (await created).audio.transcriptions.create(body, requestOptions);
          },
        },
      },
    };
  }

  async transcribe({ audio, mimeType, filename, signal }: TranscriptionInput): Promise<string> {
    // The API reads the format from the file name's extension.
    // Node's Buffers are ArrayBuffer-backed; the DOM typings ask for it to be spelled out.
    const file = new File([audio as Uint8Array<ArrayBuffer>], audioFilename(filename, mimeType), { type: mimeType });
    const { language, prompt } = this.options;
    let result: unknown;
    try {
      const client = await this.client;
      result = await client.audio.transcriptions.create(
        { file, model: this.model, ...(language && { language }), ...(prompt && { prompt }) },
        { signal },
      );
    } catch (error) {
      throw TranscriptionException.from(error);
    }
    // `json` answers `{ text }`; a client set to `text` answers the string.
    const text = typeof result === 'string' ? result : (result as { text?: unknown } | null)?.text;
    if (typeof text !== 'string') throw new TranscriptionException('provider_error', PROVIDER_ANSWERED_WITHOUT_TEXT);
    return text;
  }
}

// The fixed texts per error code are the CODES table of transcription.exception.ts.

const OPENAI_SERVICE = 'OpenAITranscriptionService';

export const UNSUPPORTED_AUDIO_TYPE = (type: string, supported: readonly string[]) =>
  `Unsupported audio type '${type}'. Supported: ${supported.join(', ')}.`;

export const MULTIPART_WITHOUT_BOUNDARY = 'The multipart body has no boundary in its Content-Type.';

export const MULTIPART_UNPARSABLE = 'The multipart body could not be parsed.';

export const MISSING_AUDIO_FILE = "Missing the 'audio' file field.";

export const AUDIO_FIELD_IS_TEXT = "The 'audio' field must be a file, not text.";

export const BASE64_BODY_NOT_AN_OBJECT = 'The body must be a JSON object: { audio, mimeType, filename }.';

export const MISSING_BASE64_AUDIO = "Missing 'audio': the audio as a base64 string.";

export const MIME_TYPE_NOT_A_STRING = "'mimeType' must be a string.";

export const FILENAME_NOT_A_STRING = "'filename' must be a string.";

export const DATA_URL_NOT_BASE64 = "A data: URL in 'audio' must be base64 (data:<type>;base64,...).";

export const INVALID_BASE64 = "'audio' is not valid base64.";

export const AUDIO_EMPTY = 'The audio file is empty.';

export const AUDIO_OVER_LIMIT = (maxAudioBytes: number) => `The audio file is larger than the limit of ${maxAudioBytes} bytes.`;

export const BODY_ALREADY_READ = 'The request body was already read by another middleware.';

export const UPLOAD_FAILED = 'The upload failed.';

export const UPLOAD_ABORTED = 'The client closed the connection during the upload.';

export const INVALID_OPENAI_MODEL = `${OPENAI_SERVICE}: 'model' must be a model name such as 'whisper-1'.`;

export const OPENAI_CLIENT_AND_API_KEY = `${OPENAI_SERVICE}: pass 'client' or 'apiKey', not both.`;

export const INVALID_OPENAI_CLIENT = `${OPENAI_SERVICE}: 'client' must be an OpenAI client (with audio.transcriptions.create).`;

export const MISSING_OPENAI_API_KEY = `${OPENAI_SERVICE} needs an API key: set OPENAI_API_KEY, pass 'apiKey', or pass your own 'client'.`;

export const MISSING_OPENAI_PACKAGE = `${OPENAI_SERVICE} needs the 'openai' package: npm install openai`;

export const PROVIDER_ANSWERED_WITHOUT_TEXT = 'The transcription provider answered without text.';

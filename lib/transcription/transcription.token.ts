/**
 * The `TranscriptionService` the runtime uses when `forRoot` names none: the app's provider of
 * `TranscriptionService`, found under this build's class or another loaded build's.
 */
export const TRANSCRIPTION_SERVICE = Symbol.for('nestjs-copilotkit:transcription-service');

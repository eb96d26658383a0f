import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import type { AgentsSource } from '../interfaces/ag-ui-agent.interface.js';
import type { CopilotKitHooks } from '../hooks/copilotkit-hooks.interface.js';
import { HOOK_METHODS } from '../hooks/request-hooks.js';
import type { CopilotKitModuleOptions } from './copilotkit-options.interface.js';
import { AgentRunner } from '../runners/agent-runner.js';
import { InMemoryAgentRunner } from '../runners/in-memory.runner.js';
import { defaultThreadOwner, type ThreadOwnerResolver } from '../runners/thread-owner.js';
import { parseByteSize } from './byte-size.js';
import type { TranscriptionService } from '../transcription/transcription.service.js';
import { DEFAULT_MAX_AUDIO_BYTES } from '../transcription/audio-upload.js';

/** Module options after validation, with every default filled in. */
export interface ResolvedCopilotKitOptions {
  agents: AgentsSource | undefined;
  runner: AgentRunner;
  heartbeatMs: number;
  cancelRunOnDisconnect: boolean;
  maxBufferedBytes: number;
  threadOwner: ThreadOwnerResolver;
  bodyLimitBytes: number;
  /** Undefined: on exactly when the runner is durable. */
  authoritativeHistory: boolean | undefined;
  hooks: CopilotKitHooks[];
  /** From the options; a `TranscriptionService` provider is looked up beside it (see `CopilotRuntime.transcription`). */
  transcription: TranscriptionService | undefined;
  maxAudioBytes: number;
}

const KNOWN_OPTIONS = new Set([
  'agents',
  'runner',
  'heartbeatMs',
  'cancelRunOnDisconnect',
  'maxBufferedBytes',
  'threadOwner',
  'authoritativeHistory',
  'bodyLimit',
  'hooks',
  'transcription',
  'maxAudioBytes',
]);

const RUNNER_METHODS = ['run', 'connect', 'stop', 'isRunning', 'drain', 'close'] as const;

/** Validates options at boot and reports every problem at once. */
export function resolveCopilotKitOptions(options: CopilotKitModuleOptions | undefined | null): ResolvedCopilotKitOptions {
  if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
    throw new CopilotKitConfigurationError(`options must be an object, got ${typeof options}.`);
  }
  const given = options ?? {};
  const problems: string[] = [];
  for (const key of Object.keys(given)) {
    if (!KNOWN_OPTIONS.has(key)) {
      problems.push(
        `unknown option '${key}' (known: ${[...KNOWN_OPTIONS].join(', ')}; path, guards, imports and isGlobal go beside the factory in forRootAsync).`,
      );
    }
  }
  const runner = given.runner ?? new InMemoryAgentRunner();
  const missing = RUNNER_METHODS.filter((method) => typeof (runner as unknown as Record<string, unknown>)[method] !== 'function');
  if (missing.length > 0) problems.push(`'runner' must implement AgentRunner; it lacks ${missing.join(', ')}.`);
  const heartbeatMs = given.heartbeatMs ?? 15_000;
  if (!Number.isSafeInteger(heartbeatMs) || heartbeatMs < 0) {
    problems.push(`'heartbeatMs' must be a whole number of milliseconds, 0 to disable; got ${String(heartbeatMs)}.`);
  }
  const maxBufferedBytes = given.maxBufferedBytes ?? 8 * 1024 * 1024;
  if (!Number.isSafeInteger(maxBufferedBytes) || maxBufferedBytes < 1024) {
    problems.push(`'maxBufferedBytes' must be a whole number of at least 1024; got ${String(maxBufferedBytes)}.`);
  }
  if (given.cancelRunOnDisconnect !== undefined && typeof given.cancelRunOnDisconnect !== 'boolean') {
    problems.push(`'cancelRunOnDisconnect' must be a boolean.`);
  }
  const bodyLimitBytes = parseByteSize(given.bodyLimit ?? '10mb');
  if (bodyLimitBytes === undefined)
    problems.push(`'bodyLimit' must be a size such as '10mb' or a number of bytes; got ${String(given.bodyLimit)}.`);
  if (given.threadOwner !== undefined && typeof given.threadOwner !== 'function') {
    problems.push(`'threadOwner' must be a function (request) => owner id.`);
  }
  if (given.authoritativeHistory !== undefined && typeof given.authoritativeHistory !== 'boolean') {
    problems.push(`'authoritativeHistory' must be a boolean.`);
  }
  if (given.agents !== undefined && typeof given.agents !== 'function' && (typeof given.agents !== 'object' || given.agents === null)) {
    problems.push(`'agents' must be a record of agent id to AG-UI agent, or a function returning one.`);
  }
  const hooks = given.hooks === undefined ? [] : [given.hooks].flat();
  hooks.forEach((entry, index) => {
    const valid =
      typeof entry === 'object' &&
      entry !== null &&
      HOOK_METHODS.some((name) => name in entry) &&
      HOOK_METHODS.every((name) => entry[name] === undefined || typeof entry[name] === 'function');
    if (!valid) problems.push(`'hooks'[${index}] must be an object with beforeRequest, afterRequest or onError functions.`);
  });
  if (given.transcription !== undefined && typeof (given.transcription as { transcribe?: unknown } | null)?.transcribe !== 'function') {
    problems.push(
      `'transcription' must be a TranscriptionService (an object with transcribe(input)), such as new OpenAITranscriptionService().`,
    );
  }
  const maxAudioBytes = given.maxAudioBytes ?? DEFAULT_MAX_AUDIO_BYTES;
  if (!Number.isSafeInteger(maxAudioBytes) || maxAudioBytes < 1) {
    problems.push(`'maxAudioBytes' must be a whole number of bytes, at least 1; got ${String(given.maxAudioBytes)}.`);
  }
  if (problems.length > 0) throw new CopilotKitConfigurationError(problems);
  return {
    agents: given.agents,
    runner,
    heartbeatMs,
    cancelRunOnDisconnect: given.cancelRunOnDisconnect ?? false,
    maxBufferedBytes,
    threadOwner: given.threadOwner ?? defaultThreadOwner,
    bodyLimitBytes: bodyLimitBytes!,
    authoritativeHistory: given.authoritativeHistory,
    hooks,
    transcription: given.transcription,
    maxAudioBytes,
  };
}

import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import type { AgentsSource } from '../interfaces/ag-ui-agent.interface.js';
import type { CopilotKitHooks } from '../hooks/copilotkit-hooks.interface.js';
import { HOOK_METHODS } from '../hooks/request-hooks.js';
import type { Type } from '@nestjs/common';
import type { CopilotKitModuleOptions, CopilotKitRunnerFactory } from './copilotkit-options.interface.js';
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
const RUNNER_FORMS =
  "give an instance (new SqliteAgentRunner({ path: 'threads.sqlite' })), a class that extends AgentRunner, or { useFactory, inject }";

/** Builds a runner given as a class or a factory, with Nest's dependency injection (the module passes one). */
export type RunnerBuilder = (source: Type<AgentRunner> | CopilotKitRunnerFactory) => Promise<unknown>;

/**
 * Validates options at boot and reports every problem at once. A runner given as a class or a
 * factory is built by `buildRunner`, and what it builds is checked too.
 */
export async function resolveCopilotKitOptions(
  options: CopilotKitModuleOptions | undefined | null,
  buildRunner?: RunnerBuilder,
): Promise<ResolvedCopilotKitOptions> {
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
  const runnerProblem = checkRunner(given.runner);
  if (runnerProblem) problems.push(runnerProblem);
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
    runner: await resolveRunner(given.runner, buildRunner),
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

function missingRunnerMethods(candidate: unknown): string[] {
  const target = (typeof candidate === 'object' && candidate !== null ? candidate : {}) as Record<string, unknown>;
  return RUNNER_METHODS.filter((method) => typeof target[method] !== 'function');
}

function checkRunner(runner: unknown): string | undefined {
  if (runner === undefined) return undefined;
  if (typeof runner === 'function') {
    const missing = missingRunnerMethods(runner.prototype);
    if (missing.length === 0) return undefined;
    return `'runner' is a function (${runner.name || 'anonymous'}) but not an AgentRunner class, it lacks ${missing.join(', ')}: ${RUNNER_FORMS}.`;
  }
  if (typeof runner === 'object' && runner !== null && 'useFactory' in runner) {
    const { useFactory, inject } = runner as Partial<CopilotKitRunnerFactory>;
    if (typeof useFactory !== 'function') return `'runner.useFactory' must be a function that returns an AgentRunner.`;
    if (inject !== undefined && !Array.isArray(inject)) return `'runner.inject' must be an array of injection tokens.`;
    return undefined;
  }
  const missing = missingRunnerMethods(runner);
  if (missing.length === 0) return undefined;
  const got = typeof runner === 'object' ? '' : ` (got ${runner === null ? 'null' : typeof runner})`;
  return `'runner' must implement AgentRunner; it lacks ${missing.join(', ')}${got}: ${RUNNER_FORMS}.`;
}

async function resolveRunner(runner: CopilotKitModuleOptions['runner'], buildRunner: RunnerBuilder | undefined): Promise<AgentRunner> {
  if (runner === undefined) return new InMemoryAgentRunner();
  if (typeof runner !== 'function' && !('useFactory' in runner)) return runner;
  const what = typeof runner === 'function' ? `class ${runner.name}` : 'factory';
  if (!buildRunner)
    throw new CopilotKitConfigurationError(`'runner' is a ${what}, which only CopilotKitModule can build; give an instance here.`);
  const built = await buildRunner(runner);
  const missing = missingRunnerMethods(built);
  if (missing.length > 0) {
    throw new CopilotKitConfigurationError(
      `the 'runner' ${what} gave something that is not an AgentRunner: it lacks ${missing.join(', ')}.`,
    );
  }
  return built as AgentRunner;
}

import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import type { AgentsSource } from '../interfaces/ag-ui-agent.interface.js';
import type { BackendActionsSource } from '../interfaces/backend-action.interface.js';
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
import {
  BUILT_NOT_A_RUNNER,
  INVALID_ACTIONS,
  INVALID_AGENTS,
  INVALID_AUTHORITATIVE_HISTORY,
  INVALID_BODY_LIMIT,
  INVALID_CANCEL_RUN_ON_DISCONNECT,
  FORWARD_HEADERS_NOT_AN_ARRAY,
  INVALID_FORWARD_HEADER,
  INVALID_FORWARD_SYSTEM_MESSAGES,
  UNFORWARDABLE_HEADER,
  INVALID_HEARTBEAT,
  INVALID_HOOKS,
  INVALID_MAX_AUDIO_BYTES,
  INVALID_MAX_BUFFERED_BYTES,
  MAX_BUFFERED_BELOW_BODY_LIMIT,
  INVALID_MAX_RUN_DURATION,
  INVALID_RUNNER_FACTORY,
  INVALID_RUNNER_INJECT,
  INVALID_THREAD_OWNER,
  INVALID_TRANSCRIPTION,
  NOT_A_RUNNER,
  OPTIONS_NOT_AN_OBJECT,
  RUNNER_CLASS,
  RUNNER_CLASS_NOT_A_RUNNER,
  RUNNER_FACTORY,
  RUNNER_NEEDS_MODULE,
  UNKNOWN_OPTION,
} from './config.messages.js';

/** Module options after validation, with every default filled in. */
export interface ResolvedCopilotKitOptions {
  agents: AgentsSource | undefined;
  /** Checked one by one when the module starts (their schemas resolve asynchronously). */
  actions: BackendActionsSource | undefined;
  runner: AgentRunner;
  heartbeatMs: number;
  cancelRunOnDisconnect: boolean;
  maxBufferedBytes: number;
  threadOwner: ThreadOwnerResolver;
  bodyLimitBytes: number;
  /** Undefined: on exactly when the runner is durable. */
  authoritativeHistory: boolean | undefined;
  /** Whether client `system` and `developer` messages reach the agent. */
  forwardSystemMessages: boolean;
  /** After this long a run is ended with RUN_ERROR `RUN_TIMEOUT`. */
  maxRunDurationMs: number;
  hooks: CopilotKitHooks[];
  /** From the options; a `TranscriptionService` provider is looked up beside it (see `CopilotRuntime.transcription`). */
  transcription: TranscriptionService | undefined;
  maxAudioBytes: number;
  /** Lower-cased; empty unless the app lists some. */
  forwardHeaders: readonly string[];
}

const KNOWN_OPTIONS = new Set([
  'agents',
  'actions',
  'runner',
  'heartbeatMs',
  'cancelRunOnDisconnect',
  'maxBufferedBytes',
  'threadOwner',
  'authoritativeHistory',
  'forwardSystemMessages',
  'maxRunDurationMs',
  'bodyLimit',
  'hooks',
  'transcription',
  'maxAudioBytes',
  'forwardHeaders',
]);

/** RFC 9110 `token`: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The caller's connection and body framing: copied onto another request they would corrupt it. */
const UNFORWARDABLE_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'content-type',
  'content-encoding',
  'expect',
]);

const DEFAULT_MAX_RUN_DURATION_MS = 30 * 60 * 1000;

/** setTimeout fires at once for longer delays (they overflow a 32-bit signed integer). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What `maxBufferedBytes` holds by default beyond the largest event a request can make (its body). */
const BUFFER_BEYOND_BODY = 8 * 1024 * 1024;

const RUNNER_METHODS = [
  'begin',
  'history',
  'execute',
  'abandon',
  'connect',
  'stop',
  'isRunning',
  'getThread',
  'listThreads',
  'updateThread',
  'deleteThread',
  'drain',
  'close',
] as const;

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
    throw new CopilotKitConfigurationError(OPTIONS_NOT_AN_OBJECT(typeof options));
  }
  const given = options ?? {};
  const problems: string[] = [];
  for (const key of Object.keys(given)) {
    if (!KNOWN_OPTIONS.has(key)) {
      problems.push(UNKNOWN_OPTION(key, KNOWN_OPTIONS));
    }
  }
  const runnerProblem = checkRunner(given.runner);
  if (runnerProblem) problems.push(runnerProblem);
  const heartbeatMs = given.heartbeatMs ?? 15_000;
  if (!Number.isSafeInteger(heartbeatMs) || heartbeatMs < 0) {
    problems.push(INVALID_HEARTBEAT(heartbeatMs));
  }
  if (given.cancelRunOnDisconnect !== undefined && typeof given.cancelRunOnDisconnect !== 'boolean') {
    problems.push(INVALID_CANCEL_RUN_ON_DISCONNECT);
  }
  const bodyLimitBytes = parseByteSize(given.bodyLimit ?? '10mb');
  if (bodyLimitBytes === undefined) problems.push(INVALID_BODY_LIMIT(given.bodyLimit));
  // A run announces its input in one event (RUN_STARTED), as large as the body it came in: a
  // buffer smaller than that would drop every client of a large run, and of its thread's replays.
  const maxBufferedBytes = given.maxBufferedBytes ?? (bodyLimitBytes ?? 0) + BUFFER_BEYOND_BODY;
  if (!Number.isSafeInteger(maxBufferedBytes) || maxBufferedBytes < 1024) {
    problems.push(INVALID_MAX_BUFFERED_BYTES(maxBufferedBytes));
  } else if (bodyLimitBytes !== undefined && maxBufferedBytes <= bodyLimitBytes) {
    problems.push(MAX_BUFFERED_BELOW_BODY_LIMIT(maxBufferedBytes, bodyLimitBytes));
  }
  if (given.threadOwner !== undefined && typeof given.threadOwner !== 'function') {
    problems.push(INVALID_THREAD_OWNER);
  }
  if (given.authoritativeHistory !== undefined && typeof given.authoritativeHistory !== 'boolean') {
    problems.push(INVALID_AUTHORITATIVE_HISTORY);
  }
  if (given.forwardSystemMessages !== undefined && typeof given.forwardSystemMessages !== 'boolean') {
    problems.push(INVALID_FORWARD_SYSTEM_MESSAGES);
  }
  const maxRunDurationMs = given.maxRunDurationMs ?? DEFAULT_MAX_RUN_DURATION_MS;
  if (!Number.isSafeInteger(maxRunDurationMs) || maxRunDurationMs < 1 || maxRunDurationMs > MAX_TIMER_MS) {
    problems.push(INVALID_MAX_RUN_DURATION(given.maxRunDurationMs, MAX_TIMER_MS));
  }
  if (given.agents !== undefined && typeof given.agents !== 'function' && (typeof given.agents !== 'object' || given.agents === null)) {
    problems.push(INVALID_AGENTS);
  }
  if (given.actions !== undefined && typeof given.actions !== 'function' && !Array.isArray(given.actions)) {
    problems.push(INVALID_ACTIONS);
  }
  const hooks = given.hooks === undefined ? [] : [given.hooks].flat();
  hooks.forEach((entry, index) => {
    const valid =
      typeof entry === 'object' &&
      entry !== null &&
      HOOK_METHODS.some((name) => name in entry) &&
      HOOK_METHODS.every((name) => entry[name] === undefined || typeof entry[name] === 'function');
    if (!valid) problems.push(INVALID_HOOKS(index));
  });
  if (given.transcription !== undefined && typeof (given.transcription as { transcribe?: unknown } | null)?.transcribe !== 'function') {
    problems.push(INVALID_TRANSCRIPTION);
  }
  const maxAudioBytes = given.maxAudioBytes ?? DEFAULT_MAX_AUDIO_BYTES;
  if (!Number.isSafeInteger(maxAudioBytes) || maxAudioBytes < 1) {
    problems.push(INVALID_MAX_AUDIO_BYTES(given.maxAudioBytes));
  }
  const forwardHeaders = checkForwardHeaders(given.forwardHeaders, problems);
  if (problems.length > 0) throw new CopilotKitConfigurationError(problems);
  return {
    agents: given.agents,
    actions: given.actions,
    runner: await resolveRunner(given.runner, buildRunner),
    heartbeatMs,
    cancelRunOnDisconnect: given.cancelRunOnDisconnect ?? false,
    maxBufferedBytes,
    threadOwner: given.threadOwner ?? defaultThreadOwner,
    bodyLimitBytes: bodyLimitBytes!,
    authoritativeHistory: given.authoritativeHistory,
    forwardSystemMessages: given.forwardSystemMessages ?? false,
    maxRunDurationMs,
    hooks,
    transcription: given.transcription,
    maxAudioBytes,
    forwardHeaders,
  };
}

function checkForwardHeaders(given: unknown, problems: string[]): string[] {
  if (given === undefined) return [];
  if (!Array.isArray(given)) {
    problems.push(FORWARD_HEADERS_NOT_AN_ARRAY(given === null ? 'null' : typeof given));
    return [];
  }
  const names = new Set<string>();
  given.forEach((name: unknown, index) => {
    if (typeof name !== 'string' || !HEADER_NAME.test(name)) return void problems.push(INVALID_FORWARD_HEADER(index, name));
    const lower = name.toLowerCase();
    if (UNFORWARDABLE_HEADERS.has(lower)) return void problems.push(UNFORWARDABLE_HEADER(lower));
    names.add(lower);
  });
  return [...names];
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
    return RUNNER_CLASS_NOT_A_RUNNER(runner.name, missing);
  }
  if (typeof runner === 'object' && runner !== null && 'useFactory' in runner) {
    const { useFactory, inject } = runner as Partial<CopilotKitRunnerFactory>;
    if (typeof useFactory !== 'function') return INVALID_RUNNER_FACTORY;
    if (inject !== undefined && !Array.isArray(inject)) return INVALID_RUNNER_INJECT;
    return undefined;
  }
  const missing = missingRunnerMethods(runner);
  if (missing.length === 0) return undefined;
  return NOT_A_RUNNER(missing, typeof runner === 'object' ? undefined : typeof runner);
}

async function resolveRunner(runner: CopilotKitModuleOptions['runner'], buildRunner: RunnerBuilder | undefined): Promise<AgentRunner> {
  if (runner === undefined) return new InMemoryAgentRunner();
  if (typeof runner !== 'function' && !('useFactory' in runner)) return runner;
  const what = typeof runner === 'function' ? RUNNER_CLASS(runner.name) : RUNNER_FACTORY;
  if (!buildRunner) throw new CopilotKitConfigurationError(RUNNER_NEEDS_MODULE(what));
  const built = await buildRunner(runner);
  const missing = missingRunnerMethods(built);
  if (missing.length > 0) {
    throw new CopilotKitConfigurationError(BUILT_NOT_A_RUNNER(what, missing));
  }
  return built as AgentRunner;
}

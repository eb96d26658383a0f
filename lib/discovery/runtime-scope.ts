import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';
import { DUPLICATE_RUNTIME_NAME, RUNTIME_NOT_SELECTED, UNKNOWN_RUNTIME } from './discovery.messages.js';

/** Token of a `forRoot`'s runtime name (its `name`, else its `path`), one per CopilotKitModule instance. */
export const COPILOTKIT_RUNTIME_NAME = Symbol.for('nestjs-copilotkit:runtime-name');

/** What a decorator says about the runtimes that serve it: `runtime: 'admin'` or `['public', 'admin']`. */
export type RuntimeSelector = string | readonly string[] | undefined;

/**
 * Which decorated providers this `forRoot` serves. With one runtime in the app, all of them (no
 * configuration). With several, each `@CopilotAgent`, `@CopilotAction` and `@CopilotHooks` names
 * the runtimes that serve it, so a provider meant for a guarded runtime is never served, unguarded,
 * by another one; one that names none, or a runtime that does not exist, stops the app at boot.
 */
@Injectable()
export class RuntimeScope implements OnModuleInit {
  constructor(
    @Inject(COPILOTKIT_RUNTIME_NAME) readonly name: string,
    private readonly modules: ModulesContainer,
  ) {}

  /** Two runtimes of one name stop the app, whether or not anything is tagged yet. */
  onModuleInit(): void {
    this.runtimeNames();
  }

  /** Whether this runtime serves what `location` (e.g. `@CopilotAgent AdminAgent`) is tagged with. */
  serves(selector: RuntimeSelector, location: string): boolean {
    const runtimes = this.runtimeNames();
    if (selector === undefined) {
      if (runtimes.length === 1) return true;
      throw new CopilotKitConfigurationError(RUNTIME_NOT_SELECTED(location, runtimes));
    }
    const named = typeof selector === 'string' ? [selector] : [...selector];
    const unknown = named.filter((name) => !runtimes.includes(name));
    if (named.length === 0 || unknown.length > 0) {
      throw new CopilotKitConfigurationError(UNKNOWN_RUNTIME(location, unknown, runtimes));
    }
    return named.includes(this.name);
  }

  /** Every runtime of the app, read from the modules (the list a lazily loaded module can extend). */
  private runtimeNames(): string[] {
    const names: string[] = [];
    for (const module of this.modules.values()) {
      const name = module.providers.get(COPILOTKIT_RUNTIME_NAME)?.instance;
      if (typeof name !== 'string') continue;
      if (names.includes(name)) {
        throw new CopilotKitConfigurationError(DUPLICATE_RUNTIME_NAME(name));
      }
      names.push(name);
    }
    return names;
  }
}

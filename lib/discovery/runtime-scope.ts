import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { CopilotKitConfigurationError } from '../errors/copilotkit-configuration.error.js';

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
      throw new CopilotKitConfigurationError(
        `${location}: the app has several CopilotKit runtimes (${runtimes.map(quote).join(', ')}), so it must say which serve it, e.g. { runtime: ${quote(runtimes[0]!)} } or { runtime: [${runtimes.map(quote).join(', ')}] }.`,
      );
    }
    const named = typeof selector === 'string' ? [selector] : [...selector];
    const unknown = named.filter((name) => !runtimes.includes(name));
    if (named.length === 0 || unknown.length > 0) {
      throw new CopilotKitConfigurationError(
        `${location}: runtime ${unknown.length > 0 ? unknown.map(quote).join(', ') : '[]'} is not one of the app's CopilotKit runtimes (${runtimes.map(quote).join(', ')}); a runtime is named by forRoot's 'name', else its 'path'.`,
      );
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
        throw new CopilotKitConfigurationError(
          `Two CopilotKitModule.forRoot are named ${quote(name)}: give each its own 'name' (or 'path').`,
        );
      }
      names.push(name);
    }
    return names;
  }
}

function quote(name: string): string {
  return `'${name}'`;
}

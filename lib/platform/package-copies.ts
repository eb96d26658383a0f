/**
 * The classes of this package that apps inject, one record per loaded build.
 *
 * Nest matches class tokens by identity, so when an app loads both builds (an ESM app with a
 * CommonJS dependency that requires this package), a provider that injects the other build's
 * `CopilotRuntime` would find nothing. Each build registers its injectable classes here, under a
 * `Symbol.for` key both builds share, and `forRoot` also provides its services under the classes of
 * every other build (see `copilotkit.module.ts`).
 */
export interface PackageCopy {
  readonly CopilotRuntime: abstract new (...args: never[]) => unknown;
  readonly CopilotThreads: abstract new (...args: never[]) => unknown;
  readonly TranscriptionService: abstract new (...args: never[]) => unknown;
}

const COPIES = Symbol.for('nestjs-copilotkit:package-copies');

function registry(): Set<PackageCopy> {
  const scope = globalThis as typeof globalThis & { [COPIES]?: Set<PackageCopy> };
  return (scope[COPIES] ??= new Set());
}

export function registerPackageCopy(copy: PackageCopy): void {
  registry().add(copy);
}

/** The builds loaded besides `own`: usually none. */
export function otherPackageCopies(own: PackageCopy): PackageCopy[] {
  return [...registry()].filter((copy) => copy !== own);
}

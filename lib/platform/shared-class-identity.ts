/**
 * Makes `instanceof` agree across the package's two builds.
 *
 * An app can load both the ESM and the CommonJS build (an ESM app with a CommonJS dependency that
 * requires this package): each build then defines its own classes, and an error thrown by one fails
 * `instanceof` (and `@Catch()`) against the other's class. Instances carry a mark under a
 * `Symbol.for` key, which both builds share, and the class answers `instanceof` by that mark.
 * Subclasses keep the ordinary prototype check.
 */
export function shareClassIdentity(target: abstract new (...args: never[]) => unknown, name: string): void {
  const mark = Symbol.for(`nestjs-copilotkit:${name}`);
  Object.defineProperty(target.prototype, mark, { value: true });
  Object.defineProperty(target, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      if (this !== target) return Function.prototype[Symbol.hasInstance].call(this, value);
      return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[mark] === true;
    },
  });
}

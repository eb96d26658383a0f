/**
 * `require` anchored at this package's own files, in both of its builds.
 *
 * This is the one module that needs to know where the package sits on disk: to load optional peers
 * (`better-sqlite3`, `pg`, `ioredis`) synchronously from where the package is installed, to see
 * whether an SDK is installed before the first request needs it, and to read the package version.
 * The ESM build would use `import.meta.url` for that, which is a syntax error in the CommonJS build,
 * so this file is CommonJS (`.cts`) in both: it has `require` and `__filename` wherever it is loaded.
 */
export const packageRequire: NodeJS.Require = require;

/** The version of the installed package. */
export const PACKAGE_VERSION: string = readOwnManifest().version;

/** Whether `name` can be loaded from this package, as `import` or as `require`. */
export function isInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch (error) {
    // An ESM-only package has no `require` entry, but it is there.
    return (error as NodeJS.ErrnoException).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
  }
}

/** The nearest `package.json` above this file that is this package's (the CommonJS build has a marker one of its own). */
function readOwnManifest(): { version: string } {
  const { dirname, join } = require('node:path') as typeof import('node:path');
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      const manifest = require(join(dir, 'package.json')) as { name?: string; version: string };
      if (manifest.name === 'nestjs-copilotkit') return manifest;
    } catch {
      // no package.json here: look further up
    }
    if (dirname(dir) === dir) throw new Error(`nestjs-copilotkit: cannot find its package.json above ${__dirname}.`);
  }
}

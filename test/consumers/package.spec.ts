import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packLibrary, run } from './consumer-app.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What `npm publish` would ship, read from the tarball itself. */
describe('the packed package', () => {
  let tarball: string;
  let files: string[];

  beforeAll(async () => {
    tarball = await packLibrary();
    files = (await run('tar', ['-tzf', tarball], root))
      .trim()
      .split('\n')
      .map((entry) => entry.replace(/^package\//, ''));
  }, 120_000);

  it('holds the two builds, their types, the README and the LICENSE, and nothing else', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/esm/index.js',
        'dist/esm/index.d.ts',
        'dist/cjs/index.js',
        'dist/cjs/index.d.ts',
        'dist/cjs/package.json',
      ]),
    );
    const strays = files.filter(
      (file) =>
        !['package.json', 'README.md', 'LICENSE', 'dist/cjs/package.json'].includes(file) &&
        !/^dist\/(esm|cjs)\/.+\.(js|d\.ts|cjs|d\.cts)$/.test(file),
    );
    expect(strays).toEqual([]);
  });

  it('ships no source maps that point at sources it does not ship', () => {
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
  });

  it('has the same modules, each with its declarations, in both builds', () => {
    const modules = (build: string) =>
      files
        .filter((file) => file.startsWith(`dist/${build}/`) && /\.c?js$/.test(file) && file !== 'dist/cjs/package.json')
        .map((file) => file.slice(`dist/${build}/`.length))
        .sort();
    expect(modules('cjs')).toEqual(modules('esm'));
    for (const file of files.filter((entry) => /^dist\/.+\.c?js$/.test(entry))) {
      expect(files).toContain(file.replace(/\.js$/, '.d.ts').replace(/\.cjs$/, '.d.cts'));
    }
  });

  it('resolves for every TypeScript module resolution, with no masquerading types (attw)', async () => {
    const report = JSON.parse(await run(join(root, 'node_modules/.bin/attw'), [tarball, '--format', 'json'], root)) as {
      analysis: { problems: unknown[] };
    };
    expect(report.analysis.problems).toEqual([]);
  }, 60_000);

  it('passes publint, strict', async () => {
    expect(await run(join(root, 'node_modules/.bin/publint'), ['run', tarball, '--strict'], root)).toMatch(/All good!/);
  }, 60_000);
});

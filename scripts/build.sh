#!/usr/bin/env bash
# Builds the package twice from lib/: ESM to dist/esm and CommonJS to dist/cjs, each with its own
# declarations, so `import` and `require` (including jest in a CommonJS app) both load a native build.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
tsc -p tsconfig.build.json
tsc -p tsconfig.build-cjs.json
# The package is "type": "module"; this marker makes Node (and TypeScript) read dist/cjs as CommonJS.
printf '{ "type": "commonjs" }\n' > dist/cjs/package.json

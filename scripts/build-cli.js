// Bundles the `pod` command (packages/cli with the protocol and the SDK) into one file,
// packages/cli/dist/pod.mjs, when the bundle is missing or older than a source it was built
// from: loaded as one file it starts in a fraction of the time tsx takes to compile the
// sources on every run. bin/pod.js runs the sources through tsx when the bundle is stale.
// The server stays outside the bundle: bin/pod.js runs `pod serve` and `pod user` from the sources.
import { build } from 'esbuild';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bundle = join(root, 'packages/cli/dist/pod.mjs');
const inputsFile = join(root, 'packages/cli/dist/pod.inputs.json');
const bundled = (specifier) => specifier === '@pod/protocol' || specifier.startsWith('@pod/sdk');

function fresh() {
  if (!existsSync(bundle) || !existsSync(inputsFile)) return false;
  const builtAt = statSync(bundle).mtimeMs;
  const inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
  return inputs.every((input) => existsSync(join(root, input)) && statSync(join(root, input)).mtimeMs <= builtAt);
}

if (!fresh()) {
  const result = await build({
    entryPoints: [join(root, 'packages/cli/src/main.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    absWorkingDir: root,
    logLevel: 'warning',
    // Packages from npm load from node_modules as they do for the sources.
    plugins: [{ name: 'workspace-only', setup: (b) => b.onResolve({ filter: /^[^./]/ }, (args) => (bundled(args.path) ? undefined : { path: args.path, external: true })) }],
  });
  writeFileSync(inputsFile, JSON.stringify(Object.keys(result.metafile.inputs)));
}

import react from '@vitejs/plugin-react';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string) => new URL(path, import.meta.url).pathname;

/**
 * Emits sw.js: src/service-worker.js with this build's version and the files to keep offline.
 * The version digests every file the build serves, so any change makes a new worker, whose
 * activation deletes the previous build's cache.
 */
function serviceWorker(): Plugin {
  return {
    name: 'pod-service-worker',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const publicFiles = readdirSync(here('./public')).sort();
      const built = Object.keys(bundle).filter((name) => name.startsWith('assets/')).sort();
      const digest = createHash('sha256');
      for (const [name, output] of Object.entries(bundle).sort(([a], [b]) => (a < b ? -1 : 1))) digest.update(name).update(output.type === 'chunk' ? output.code : output.source);
      for (const name of publicFiles) digest.update(name).update(readFileSync(here(`./public/${name}`)));
      const precache = ['/', ...publicFiles.map((name) => `/${name.replace(/\.html$/, '')}`), ...built.map((name) => `/${name}`)];
      const header = `const VERSION = ${JSON.stringify(digest.digest('hex').slice(0, 16))};\nconst PRECACHE = ${JSON.stringify(precache)};\n`;
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: header + readFileSync(here('./src/service-worker.js'), 'utf8') });
    },
  };
}

export default defineConfig({
  plugins: [react(), serviceWorker()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline module preload polyfill: the CSP allows no inline scripts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      // zod's sources carry annotations Rollup cannot place; they are harmless and only noise.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
    },
  },
  server: { proxy: { '/v1': { target: 'http://127.0.0.1:8080', ws: true } } },
});

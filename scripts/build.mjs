// One esbuild script for the three bundles: the extension host, the webview and the CLI.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  absWorkingDir: root,
};

// Node bundles prefer packages' ESM builds: some UMD builds (jsonc-parser) require their own files at run time,
// which a bundle cannot satisfy.
const nodeMainFields = ['module', 'main'];

/** Bundles that exist only once their entry file does, so the build works while the repo grows. */
const targets = [
  {
    entryPoints: ['extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    mainFields: nodeMainFields,
  },
  {
    entryPoints: ['extension/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: nodeMainFields,
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
  {
    entryPoints: ['webview/topic-viewer/main.ts'],
    outfile: 'dist/topic-viewer.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
].filter((t) => fs.existsSync(path.join(root, t.entryPoints[0])));

/** Assets a bundle loads at run time from next to itself (the zstd codec's WebAssembly). */
function copyAssets() {
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  const wasm = path.join(root, 'node_modules/@bokuweb/zstd-wasm/dist/common/zstd.wasm');
  if (fs.existsSync(wasm)) fs.copyFileSync(wasm, path.join(root, 'dist/zstd.wasm'));
}

copyAssets();
if (watch) {
  for (const t of targets) {
    const ctx = await esbuild.context({ ...common, ...t });
    await ctx.watch();
  }
  console.log('watching for changes...');
} else {
  await Promise.all(targets.map((t) => esbuild.build({ ...common, ...t })));
  if (fs.existsSync(path.join(root, 'dist/cli.js'))) fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
}

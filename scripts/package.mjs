// `npm run package`: a .vsix holding only what runs: the minified bundles (extension, webview, CLI, zstd wasm),
// media/, package.json and the README. No sources, tests, source maps or node_modules (everything is bundled).
// Staged in .e2e-work/vsix-staging so the working tree is untouched; the .vsix lands in the repo root.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const staging = path.join(root, '.e2e-work/vsix-staging');
const run = (cmd, args, cwd = root) => {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) { console.error(`${cmd} ${args.join(' ')} failed`); process.exit(r.status ?? 1); }
};

run(process.execPath, ['scripts/build.mjs', '--production']);
fs.rmSync(staging, { recursive: true, force: true });
fs.mkdirSync(path.join(staging, 'dist'), { recursive: true });
for (const f of fs.readdirSync(path.join(root, 'dist'))) {
  if (f.endsWith('.map')) continue;
  fs.copyFileSync(path.join(root, 'dist', f), path.join(staging, 'dist', f));
}
fs.cpSync(path.join(root, 'media'), path.join(staging, 'media'), { recursive: true });
fs.copyFileSync(path.join(root, 'README.md'), path.join(staging, 'README.md'));
for (const extra of ['LICENSE', 'CHANGELOG.md']) if (fs.existsSync(path.join(root, extra))) fs.copyFileSync(path.join(root, extra), path.join(staging, extra));
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
// The installed extension needs none of these: bundles carry their code.
delete manifest.devDependencies;
delete manifest.dependencies;
delete manifest.scripts;
fs.writeFileSync(path.join(staging, 'package.json'), JSON.stringify(manifest, null, 2));
fs.writeFileSync(path.join(staging, '.vscodeignore'), '');

const out = path.join(root, `${manifest.name}-${manifest.version}.vsix`);
run(process.execPath, [path.join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--allow-star-activation', '--out', out], staging);
// Rebuild the development bundles (with source maps) so the working tree is as it was.
run(process.execPath, ['scripts/build.mjs']);
console.log(`\npackaged ${path.relative(root, out)} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB)`);

// `npm run package -- --verify`: install the .vsix into a fresh code-server and run the UI test against it.
if (process.argv.includes('--verify')) {
  const r = spawnSync(process.execPath, ['scripts/test-ui.mjs'], { cwd: root, stdio: 'inherit', env: { ...process.env, KW_VSIX: out, KW_SKIP_BUILD: '1' } });
  process.exit(r.status ?? 1);
}

// `npm run package`: a .vsix holding only what runs: the minified bundles (extension, webview, CLI, zstd wasm),
// media/, package.json and a README for the Marketplace. No sources, tests, source maps or node_modules (everything
// is bundled). Staged in .e2e-work/vsix-staging, which alone decides what goes in (the root .vscodeignore is for
// running vsce by hand); the working tree is untouched and the .vsix lands in the repo root.
// `npm test -- package` (scripts/test-package.mjs) builds it, installs it and smoke-tests the installed copy.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const staging = path.join(root, '.e2e-work/vsix-staging');
const run = (cmd, args, cwd = root) => {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`${cmd} ${args.join(' ')} failed`);
    process.exit(r.status ?? 1);
  }
};

/** Sections of README.md about working on the repository, not about using the extension. */
const DEVELOPER_SECTIONS = ['Quick start', 'Install in your VS Code', 'Developing'];

/**
 * The README the Marketplace and VS Code's extension page show: README.md without its developer sections, and with
 * each Markdown file it links to appended as a section and the link pointed at it. The package names no repository,
 * so a relative link would lead nowhere (vsce refuses them); any other relative link stops packaging here.
 */
function marketplaceReadme(readmeFile) {
  const sections = fs.readFileSync(readmeFile, 'utf8').split(/^(?=## )/m);
  let text = sections
    .filter((s) => !DEVELOPER_SECTIONS.some((title) => s.startsWith(`## ${title}\n`)))
    .join('')
    .trimEnd();
  const inlined = [];
  text = text.replace(/\[([^\]]*)\]\(([^)#:\s]+)\)/g, (link, label, target) => {
    const file = path.resolve(path.dirname(readmeFile), target);
    if (!target.endsWith('.md') || !fs.existsSync(file)) {
      console.error(
        `README.md links to ${target}, which the packaged README cannot show: use an https:// address, or link a .md file`,
      );
      process.exit(1);
    }
    const body = demoteHeadings(fs.readFileSync(file, 'utf8')).trim();
    if (!inlined.includes(body)) inlined.push(body);
    const title = /^## (.*)$/m.exec(body)[1];
    // A link that reads as its file name reads as the section's title instead.
    return `[${label.replace(/`/g, '') === target ? title : label}](#${slug(title)})`;
  });
  return `${[text, ...inlined].join('\n\n')}\n`;
}

/** Every heading one level down (outside code blocks), so a linked file's title becomes a section of this README. */
function demoteHeadings(markdown) {
  let inCode = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (line.startsWith('```')) inCode = !inCode;
      return !inCode && /^#{1,5} /.test(line) ? `#${line}` : line;
    })
    .join('\n');
}

/** The anchor GitHub, the Marketplace and VS Code give a heading: lower case, punctuation dropped, spaces as dashes. */
function slug(heading) {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

run(process.execPath, ['scripts/build.mjs', '--production']);
fs.rmSync(staging, { recursive: true, force: true });
fs.mkdirSync(path.join(staging, 'dist'), { recursive: true });
for (const f of fs.readdirSync(path.join(root, 'dist'))) {
  if (f.endsWith('.map')) continue;
  fs.copyFileSync(path.join(root, 'dist', f), path.join(staging, 'dist', f));
}
fs.cpSync(path.join(root, 'media'), path.join(staging, 'media'), { recursive: true });
fs.writeFileSync(path.join(staging, 'README.md'), marketplaceReadme(path.join(root, 'README.md')));
for (const extra of ['LICENSE', 'CHANGELOG.md'])
  if (fs.existsSync(path.join(root, extra))) fs.copyFileSync(path.join(root, extra), path.join(staging, extra));
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
// The installed extension needs none of these: bundles carry their code.
delete manifest.devDependencies;
delete manifest.dependencies;
delete manifest.scripts;
fs.writeFileSync(path.join(staging, 'package.json'), JSON.stringify(manifest, null, 2));
fs.writeFileSync(path.join(staging, '.vscodeignore'), '');

const out = path.join(root, `${manifest.name}-${manifest.version}.vsix`);
run(
  process.execPath,
  [
    path.join(root, 'node_modules/@vscode/vsce/vsce'),
    'package',
    '--no-dependencies',
    '--skip-license',
    '--allow-missing-repository',
    '--allow-star-activation',
    '--out',
    out,
  ],
  staging,
);
// Rebuild the development bundles (with source maps) so the working tree is as it was.
run(process.execPath, ['scripts/build.mjs']);
console.log(`\npackaged ${path.relative(root, out)} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB)`);

// `npm run package -- --verify`: install the .vsix into a fresh code-server and run the UI test against it.
if (process.argv.includes('--verify')) {
  const r = spawnSync(process.execPath, ['test/e2e/ui.mjs'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, KW_VSIX: out, KW_SKIP_BUILD: '1' },
  });
  process.exit(r.status ?? 1);
}

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import {
  addMessageToCollectionFile,
  appendMessageText,
  replaceMessageText,
} from '../../extension/core/collections/save';

const crlf = '{\r\n  "name": "c",\r\n  "messages": [\r\n    { "name": "a", "topic": "t" }\r\n  ]\r\n}\r\n';

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'kw-save-'));
}

describe('collections: saving keeps the file as the user has it', () => {
  it('writes CRLF lines into a CRLF file (append, replace, remove, append to an empty list)', () => {
    const noLoneLf = (text: string) =>
      assert.ok(!/[^\r]\n/.test(text), `only CRLF line endings in ${JSON.stringify(text)}`);
    const appended = appendMessageText(crlf, { name: 'b', topic: 't', value: { x: 1 } });
    noLoneLf(appended);
    assert.ok(appended.includes('"name": "b"'));
    noLoneLf(replaceMessageText(appended, 0, { name: 'a2', topic: 't', headers: [['h', 'v']] }));
    const emptied = replaceMessageText(crlf, 0, undefined);
    noLoneLf(emptied);
    noLoneLf(appendMessageText(emptied, { name: 'c', topic: 't' }));
  });

  it('keeps LF files LF', () => {
    const lf = crlf.replace(/\r\n/g, '\n');
    assert.ok(!appendMessageText(lf, { name: 'b', topic: 't' }).includes('\r'));
  });

  it("keeps the file's permissions and writes through a symlink", async function () {
    if (process.platform === 'win32') this.skip();
    const dir = await tempDir();
    const real = path.join(dir, 'real.kafka.json');
    await fs.writeFile(real, '{\n  "name": "c",\n  "messages": []\n}\n', { mode: 0o600 });
    await fs.chmod(real, 0o600);
    const link = path.join(dir, 'link.kafka.json');
    await fs.symlink(real, link);
    await addMessageToCollectionFile(link, { name: 'm', topic: 't' });
    assert.ok((await fs.lstat(link)).isSymbolicLink(), 'the link is still a link');
    assert.equal((await fs.stat(real)).mode & 0o777, 0o600, 'the target keeps its mode');
    assert.deepEqual(
      JSON.parse(await fs.readFile(real, 'utf8')).messages.map((m: { name: string }) => m.name),
      ['m'],
    );
    assert.deepEqual(
      (await fs.readdir(dir)).sort(),
      ['link.kafka.json', 'real.kafka.json'],
      'no temp file left behind',
    );
  });

  it('creates the file a dangling symlink points to, keeping the link', async function () {
    if (process.platform === 'win32') this.skip();
    const dir = await tempDir();
    const link = path.join(dir, 'link.kafka.json');
    await fs.symlink('target.kafka.json', link);
    await addMessageToCollectionFile(link, { name: 'm', topic: 't' });
    assert.ok((await fs.lstat(link)).isSymbolicLink(), 'the link is still a link');
    assert.deepEqual(
      JSON.parse(await fs.readFile(path.join(dir, 'target.kafka.json'), 'utf8')).messages.map(
        (m: { name: string }) => m.name,
      ),
      ['m'],
    );
  });

  it('loses no message when several are added to one file at once', async () => {
    const file = path.join(await tempDir(), 'c.kafka.json');
    await Promise.all(['m1', 'm2', 'm3', 'm4'].map((name) => addMessageToCollectionFile(file, { name, topic: 't' })));
    const names = JSON.parse(await fs.readFile(file, 'utf8')).messages.map((m: { name: string }) => m.name);
    assert.deepEqual(names.sort(), ['m1', 'm2', 'm3', 'm4']);
  });

  it('keeps a byte-order mark the file starts with', async () => {
    const file = path.join(await tempDir(), 'c.kafka.json');
    await fs.writeFile(file, '\uFEFF{\n  "name": "c",\n  "messages": []\n}\n');
    await addMessageToCollectionFile(file, { name: 'm', topic: 't' });
    const text = await fs.readFile(file, 'utf8');
    assert.ok(text.startsWith('\uFEFF{'));
    assert.deepEqual(JSON.parse(text.slice(1)).messages, [{ name: 'm', topic: 't' }]);
  });

  const collectionText = '{\n  "name": "c",\n  "messages": []\n}\n';

  it('refuses to save over a read-only (chmod 0444) file in a writable folder, naming it and why, and leaves it as it was', async function () {
    if (process.platform === 'win32') this.skip();
    const dir = await tempDir();
    const file = path.join(dir, 'c.kafka.json');
    await fs.writeFile(file, collectionText);
    await fs.chmod(file, 0o444);
    const before = await fs.stat(file);
    await assert.rejects(addMessageToCollectionFile(file, { name: 'm', topic: 't' }), (e: Error) => {
      assert.equal(
        e.message,
        `not saving ${file}: the file is read-only (mode 0444); make it writable (chmod u+w) or save to another file`,
      );
      return true;
    });
    const after = await fs.stat(file);
    assert.equal(await fs.readFile(file, 'utf8'), collectionText);
    assert.equal(after.ino, before.ino, 'the same file, not a replacement');
    assert.equal(after.mode & 0o777, 0o444);
    assert.deepEqual(await fs.readdir(dir), ['c.kafka.json'], 'no temp file left behind');
  });

  it('refuses a read-only file reached through a symlink, naming the link and its target', async function () {
    if (process.platform === 'win32') this.skip();
    const dir = await tempDir();
    const real = path.join(dir, 'real.kafka.json');
    await fs.writeFile(real, collectionText);
    await fs.chmod(real, 0o400);
    const link = path.join(dir, 'link.kafka.json');
    await fs.symlink(real, link);
    await assert.rejects(
      addMessageToCollectionFile(link, { name: 'm', topic: 't' }),
      /not saving .*link\.kafka\.json \(a link to .*real\.kafka\.json\): the file is read-only \(mode 0400\)/,
    );
    assert.equal(await fs.readFile(real, 'utf8'), collectionText);
  });

  it("keeps the file's group (a file of another group was given the saver's group by the rename)", async function () {
    // Only root may give a file a group it is not in; other users keep what they can.
    if (process.platform === 'win32' || process.getuid?.() !== 0) this.skip();
    const file = path.join(await tempDir(), 'c.kafka.json');
    await fs.writeFile(file, collectionText);
    await fs.chown(file, 4242, 4343);
    await addMessageToCollectionFile(file, { name: 'm', topic: 't' });
    const st = await fs.stat(file);
    assert.deepEqual([st.uid, st.gid], [4242, 4343]);
    assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')).messages, [{ name: 'm', topic: 't' }]);
  });

  it('in a read-only folder, as a user who may not write there, the error names the collection file and its folder, never the hidden temp file', async function () {
    if (process.platform === 'win32') this.skip();
    this.timeout(20_000);
    const dir = await tempDir();
    const file = path.join(dir, 'c.kafka.json');
    await fs.writeFile(file, collectionText);
    // Root may write anywhere, so the save runs as 'nobody' (65534) when the tests run as root.
    const asNobody = process.getuid?.() === 0;
    if (asNobody) {
      await fs.chmod(dir, 0o755);
      await fs.chown(dir, 0, 0);
      await fs.chown(file, 65534, 65534);
    } else {
      await fs.chmod(dir, 0o555);
    }
    // The save code is bundled beside the test's files: the checkout itself may sit where 'nobody' cannot read
    // (a clone in a 0700 mktemp folder).
    const bundle = path.join(await tempDir(), 'save.js');
    await fs.chmod(path.dirname(bundle), 0o755);
    esbuild.buildSync({
      entryPoints: [path.resolve(__dirname, '../../extension/core/collections/save.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      // jsonc-parser's UMD build requires files by name; its ES module bundles whole, as in the extension's build.
      mainFields: ['module', 'main'],
      outfile: bundle,
      logLevel: 'silent',
    });
    const script = `require(${JSON.stringify(bundle)})
      .addMessageToCollectionFile(${JSON.stringify(file)}, { name: 'm', topic: 't' })
      .then(() => console.log('saved'), (e) => console.log(e.message));`;
    const r = spawnSync(process.execPath, ['-e', script], {
      cwd: path.dirname(bundle),
      encoding: 'utf8',
      ...(asNobody ? { uid: 65534, gid: 65534 } : {}),
    });
    await fs.chmod(dir, 0o755);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `cannot save ${file}: its folder ${dir} is not writable (EACCES)`);
    assert.doesNotMatch(r.stdout, /\.tmp/);
    assert.equal(await fs.readFile(file, 'utf8'), collectionText);
  });
});

import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addMessageToCollectionFile, appendMessageText, replaceMessageText } from '../../extension/core/collections/save';

const crlf = '{\r\n  "name": "c",\r\n  "messages": [\r\n    { "name": "a", "topic": "t" }\r\n  ]\r\n}\r\n';

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'kw-save-'));
}

describe('collections: saving keeps the file as the user has it', () => {
  it('writes CRLF lines into a CRLF file (append, replace, remove, append to an empty list)', () => {
    const noLoneLf = (text: string) => assert.ok(!/[^\r]\n/.test(text), `only CRLF line endings in ${JSON.stringify(text)}`);
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

  it('keeps the file\'s permissions and writes through a symlink', async function () {
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
    assert.deepEqual(JSON.parse(await fs.readFile(real, 'utf8')).messages.map((m: { name: string }) => m.name), ['m']);
    assert.deepEqual((await fs.readdir(dir)).sort(), ['link.kafka.json', 'real.kafka.json'], 'no temp file left behind');
  });

  it('creates the file a dangling symlink points to, keeping the link', async function () {
    if (process.platform === 'win32') this.skip();
    const dir = await tempDir();
    const link = path.join(dir, 'link.kafka.json');
    await fs.symlink('target.kafka.json', link);
    await addMessageToCollectionFile(link, { name: 'm', topic: 't' });
    assert.ok((await fs.lstat(link)).isSymbolicLink(), 'the link is still a link');
    assert.deepEqual(JSON.parse(await fs.readFile(path.join(dir, 'target.kafka.json'), 'utf8')).messages.map((m: { name: string }) => m.name), ['m']);
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
});

/** Bytes allocated per prepareNow / checkNow of the many-messages collection (run with a big young generation). */
import { loadCollectionFile } from '../extension/core/collections/load';
import { MessagePreparer } from '../extension/core/collections/prepare';
import { TemplateEngine } from '../extension/core/collections/template';
async function main() {
  const loaded = await loadCollectionFile(process.argv[2]);
  const preparer = new MessagePreparer(new TemplateEngine(), loaded, undefined, {}, undefined);
  const keep: unknown[] = [];
  for (let i = 0; i < 2000; i++) keep.push(preparer.checkNow(i), preparer.prepareNow(i)); // warm up
  for (const what of ['checkNow', 'prepareNow'] as const) {
    const N = 20000;
    const before = process.memoryUsage().heapUsed;
    for (let i = 2000; i < 2000 + N; i++) keep[i % 10] = preparer[what](i);
    const after = process.memoryUsage().heapUsed;
    console.log(what, ((after - before) / N).toFixed(0), 'bytes per message');
  }
}
main();

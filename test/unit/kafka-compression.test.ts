import { strict as assert } from 'node:assert';
import crypto from 'node:crypto';
import {
  compress,
  decompress,
  CompressionError,
  CompressionName,
  compressionName,
  compressionId,
} from '../../extension/core/kafka/compression';

type KafkajsCodec = { compress(e: { buffer: Buffer }): Promise<Buffer> };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs's internal modules have no type declarations
const kafkajsGzip: KafkajsCodec = require('kafkajs/src/protocol/message/compression/gzip');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs's internal modules have no type declarations
const lz4js: { compress(b: Uint8Array): Uint8Array } = require('lz4js');

/** Text-like data (compressible) followed by random bytes (incompressible), spanning several codec blocks. */
function sampleData(size: number): Buffer {
  const text = Buffer.from(
    '{"orderId":12345,"customer":"alice","items":[1,2,3],"note":"hello kafka"}\n'.repeat(Math.ceil(size / 2 / 70)),
  );
  return Buffer.concat([text.subarray(0, size / 2), crypto.randomBytes(size / 2)]);
}

describe('kafka compression codecs', () => {
  const codecs: CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
  for (const codec of codecs) {
    for (const size of [0, 1, 1000, 300_000]) {
      it(`${codec} round-trips ${size} bytes`, async () => {
        const data = sampleData(size);
        const packed = await compress(codec, data);
        const unpacked = await decompress(codec, packed);
        assert.ok(unpacked.equals(data));
        if (codec !== 'none' && size === 300_000) assert.ok(packed.length < data.length, 'compressible half shrinks');
      });
    }
  }

  it('accepts codec ids as well as names', async () => {
    const data = sampleData(2000);
    assert.ok((await decompress(2, await compress('snappy', data))).equals(data));
    assert.equal(compressionName(3), 'lz4');
    assert.equal(compressionId('zstd'), 4);
  });

  it('decompresses what kafkajs own gzip codec produced', async () => {
    const data = sampleData(50_000);
    const packed = await kafkajsGzip.compress({ buffer: data });
    assert.ok((await decompress('gzip', packed)).equals(data));
  });

  it('decompresses a hand-built xerial-framed snappy stream (what the Java client writes)', async () => {
    // header: \x82SNAPPY\0, version 1, compatible 1; then [int32 length][raw snappy block] per block.
    // raw snappy "hello": varint length 5, literal tag (5-1)<<2, bytes; " world": varint 6, tag (6-1)<<2, bytes.
    const framed = Buffer.concat([
      Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]),
      Buffer.from([0, 0, 0, 7, 0x05, 0x10]),
      Buffer.from('hello'),
      Buffer.from([0, 0, 0, 8, 0x06, 0x14]),
      Buffer.from(' world'),
    ]);
    assert.equal((await decompress('snappy', framed)).toString(), 'hello world');
  });

  it('decompresses raw (unframed) snappy, as librdkafka and kafkajs-snappy write', async () => {
    const raw = Buffer.concat([Buffer.from([0x05, 0x10]), Buffer.from('hello')]);
    assert.equal((await decompress('snappy', raw)).toString(), 'hello');
  });

  it('writes snappy with the xerial header the Java client expects', async () => {
    const packed = await compress('snappy', Buffer.from('abc'));
    assert.deepEqual(
      [...packed.subarray(0, 16)],
      [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1],
    );
  });

  it('writes lz4 frames with independent blocks and a valid header, readable by another lz4 frame decoder', async () => {
    const data = sampleData(200_000);
    const packed = await compress('lz4', data);
    assert.equal(packed.readUInt32LE(0), 0x184d2204);
    assert.equal(packed[4]! & 0x20, 0x20, 'block independence flag set');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lz4js ships no type declarations
    const other: { decompress(b: Uint8Array): Uint8Array } = require('lz4js');
    assert.ok(Buffer.from(other.decompress(packed)).equals(data));
  });

  it('decompresses lz4 frames written by another encoder (4 MiB linked blocks)', async () => {
    const data = sampleData(100_000);
    assert.ok((await decompress('lz4', Buffer.from(lz4js.compress(data)))).equals(data));
  });

  it('decompresses an lz4 frame with content size, an uncompressed block, and a content checksum', async () => {
    const payload = Buffer.from('uncompressed block');
    const frame = Buffer.concat([
      Buffer.from([
        0x04, 0x22, 0x4d, 0x18, 0x6c /* v01, indep, content size, content checksum */, 0x40, 0, 0, 0, 0, 0, 0, 0, 0,
        0x00,
      ]),
      Buffer.from([payload.length, 0, 0, 0x80]),
      payload,
      Buffer.from([0, 0, 0, 0]),
      Buffer.from([1, 2, 3, 4]),
    ]);
    frame.writeBigUInt64LE(BigInt(payload.length), 6);
    assert.equal((await decompress('lz4', frame)).toString(), 'uncompressed block');
  });

  it('decompresses a zstd frame that does not declare its size (as streaming encoders like the Java client write)', async () => {
    // Frame header: magic, descriptor 0 (no content size), window log 17; then 24 RLE blocks of 128 KiB of 'z' (3 MiB).
    const blockSize = 128 * 1024;
    const blocks = Array.from({ length: 24 }, (_, i) => {
      const header = ((blockSize << 3) | (1 << 1) | (i === 23 ? 1 : 0)) >>> 0; // size, RLE block type, last flag
      return Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, 0x7a]);
    });
    const frame = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]), ...blocks]);
    const out = await decompress('zstd', frame);
    assert.equal(out.length, 24 * blockSize);
    assert.ok(out.every((b) => b === 0x7a));
  });

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`${codec}: corrupt or truncated input throws CompressionError, never anything else`, async () => {
      const good = await compress(codec, sampleData(20_000));
      const inputs = [
        Buffer.alloc(0),
        crypto.randomBytes(100),
        good.subarray(0, good.length >> 1),
        good.subarray(0, 5),
      ];
      for (const input of inputs) {
        await assert.rejects(decompress(codec, input), CompressionError);
      }
    });
  }

  it('refuses data that would decompress beyond the limit', async () => {
    const big = Buffer.alloc(1_000_000, 7);
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
      await assert.rejects(decompress(codec, await compress(codec, big), 10_000), CompressionError, codec);
    }
  });

  it('rejects an unknown codec id with a message listing the known ones', async () => {
    await assert.rejects(decompress(5, Buffer.alloc(1)), /Unknown compression codec id 5: Kafka knows 0=none/);
  });
});

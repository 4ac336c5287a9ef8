/**
 * Kafka's record batch compression codecs, by the codec id in the batch attributes' low 3 bits.
 * Output is byte-compatible with what the Java client writes (snappy: xerial framing; lz4: the LZ4 frame format
 * with independent 64 KiB blocks; zstd: a standard frame), and input from any mainstream client is accepted
 * (snappy raw or xerial-framed; lz4 frames with or without content size and checksums).
 */
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { WorkbenchError } from '../util/errors';
import { COMPRESSION_NAMES, type CompressionName } from './rules/compression-names';

/* eslint-disable @typescript-eslint/no-require-imports -- snappyjs and lz4js ship no type declarations */
const snappy: {
  compress(input: Buffer): Buffer;
  uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
} = require('snappyjs');
const lz4: {
  compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
  compressBound(n: number): number;
} = require('lz4js');
const xxh32: { hash(seed: number, src: Uint8Array, index: number, length: number): number } = require('lz4js/xxh32.js');
/* eslint-enable @typescript-eslint/no-require-imports */

export type { CompressionName };
/** The codec id of each name, as the batch attributes carry it; the names come from the one list of them. */
export const CompressionType = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const satisfies Record<
  CompressionName,
  number
>;
export type CompressionCodecId = (typeof CompressionType)[CompressionName];

const NAMES: readonly CompressionName[] = COMPRESSION_NAMES;

/** Decompressed data larger than this is refused: a hostile or corrupt batch must not exhaust memory. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

/** Compressed data could not be decoded (corrupt, truncated, or an unknown codec). */
export class CompressionError extends WorkbenchError {}

export function compressionName(id: number): CompressionName {
  const name = NAMES[id];
  if (name === undefined)
    throw new CompressionError(
      `Unknown compression codec id ${id}: Kafka knows 0=none, 1=gzip, 2=snappy, 3=lz4, 4=zstd.`,
    );
  return name;
}

export function compressionId(type: CompressionName | number): CompressionCodecId {
  if (typeof type === 'number') {
    compressionName(type);
    return type as CompressionCodecId;
  }
  const id = CompressionType[type];
  if (id === undefined)
    throw new CompressionError(`Unknown compression type "${type}": use one of ${NAMES.join(', ')}.`);
  return id;
}

const gzipAsync = promisify(zlib.gzip);
const unzipAsync = promisify(zlib.unzip); // gzip, and zlib-wrapped deflate from lenient writers

export async function compress(type: CompressionName | number, data: Buffer): Promise<Buffer> {
  switch (compressionId(type)) {
    case 0:
      return data;
    case 1:
      return gzipAsync(data);
    case 2:
      return snappyXerialCompress(data);
    case 3:
      return lz4FrameCompress(data);
    case 4:
      return zstdCompress(data);
  }
}

export async function decompress(
  type: CompressionName | number,
  data: Buffer,
  maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES,
): Promise<Buffer> {
  const id = compressionId(type);
  try {
    switch (id) {
      case 0:
        return data;
      case 1:
        return await unzipAsync(data, { maxOutputLength: maxBytes });
      case 2:
        return snappyDecompress(data, maxBytes);
      case 3:
        return lz4FrameDecompress(data, maxBytes);
      case 4:
        return await zstdDecompress(data, maxBytes);
    }
  } catch (e) {
    if (e instanceof CompressionError) throw e;
    throw new CompressionError(
      `Could not decompress ${NAMES[id]} data (${data.length} bytes): ${(e as Error).message}`,
      { cause: e },
    );
  }
}

// --- snappy: xerial framing (what the Java client writes) --------------------------------------------------------

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]); // \x82SNAPPY\0
const XERIAL_HEADER_BYTES = 16; // magic, int32 version, int32 minimum compatible version
const XERIAL_BLOCK_BYTES = 32 * 1024; // snappy-java's default block size

function snappyXerialCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_BYTES);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  parts.push(header);
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_BYTES) {
    const block = Buffer.from(snappy.compress(data.subarray(at, at + XERIAL_BLOCK_BYTES)));
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

function isXerialFramed(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_BYTES && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

function snappyDecompress(data: Buffer, maxBytes: number): Buffer {
  if (!isXerialFramed(data)) return toBuffer(snappy.uncompress(data, maxBytes));
  const parts: Buffer[] = [];
  let total = 0;
  let at = XERIAL_HEADER_BYTES;
  while (at < data.length) {
    if (at + 4 > data.length) throw new CompressionError('Truncated xerial snappy block header.');
    const len = data.readInt32BE(at);
    at += 4;
    if (len < 0 || at + len > data.length)
      throw new CompressionError(`xerial snappy block of ${len} bytes runs past the end of the data.`);
    const block = toBuffer(snappy.uncompress(data.subarray(at, at + len), maxBytes - total));
    total += block.length;
    parts.push(block);
    at += len;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

// --- lz4: the LZ4 frame format -----------------------------------------------------------------------------------

const LZ4_MAGIC = 0x184d2204;
const LZ4_BLOCK_SIZES: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };
const LZ4_WRITE_BLOCK_ID = 4; // 64 KiB blocks, as KafkaLZ4BlockOutputStream writes by default
const LZ4_UNCOMPRESSED_BIT = 0x80000000;

function lz4FrameCompress(data: Buffer): Buffer {
  const blockSize = LZ4_BLOCK_SIZES[LZ4_WRITE_BLOCK_ID]!;
  const out = Buffer.allocUnsafe(7 + Math.ceil(data.length / blockSize) * (4 + lz4.compressBound(blockSize)) + 4);
  out.writeUInt32LE(LZ4_MAGIC, 0);
  out[4] = 0x60; // version 01, independent blocks, no checksums, no content size
  out[5] = LZ4_WRITE_BLOCK_ID << 4;
  out[6] = (xxh32.hash(0, out, 4, 2) >>> 8) & 0xff;
  let w = 7;
  const hashTable = new Uint32Array(1 << 16);
  for (let at = 0; at < data.length; at += blockSize) {
    const len = Math.min(blockSize, data.length - at);
    w = writeLz4Block(out, w, data, at, len, hashTable);
  }
  out.writeUInt32LE(0, w); // end mark
  return out.subarray(0, w + 4);
}

const lz4Scratch = new Uint8Array(lz4.compressBound(64 * 1024));

function writeLz4Block(out: Buffer, w: number, data: Buffer, at: number, len: number, hashTable: Uint32Array): number {
  hashTable.fill(0); // a fresh table per block keeps the blocks independent
  const size = lz4.compressBlock(data, lz4Scratch, at, len, hashTable);
  if (size === 0 || size >= len) {
    out.writeUInt32LE((LZ4_UNCOMPRESSED_BIT | len) >>> 0, w);
    data.copy(out, w + 4, at, at + len);
    return w + 4 + len;
  }
  out.writeUInt32LE(size, w);
  out.set(lz4Scratch.subarray(0, size), w + 4);
  return w + 4 + size;
}

function lz4FrameDecompress(data: Buffer, maxBytes: number): Buffer {
  let r = 0;
  const need = (n: number, what: string) => {
    if (r + n > data.length) throw new CompressionError(`Truncated LZ4 frame: ${what} runs past the end of the data.`);
  };
  need(7, 'the frame header');
  if (data.readUInt32LE(0) !== LZ4_MAGIC) throw new CompressionError('Not an LZ4 frame: the magic number is wrong.');
  const flags = data[4]!;
  if ((flags & 0xc0) !== 0x40) throw new CompressionError(`Unsupported LZ4 frame version ${(flags >> 6) & 3}.`);
  const blockChecksums = (flags & 0x10) !== 0;
  const hasContentSize = (flags & 0x08) !== 0;
  const contentChecksum = (flags & 0x04) !== 0;
  const maxBlock = LZ4_BLOCK_SIZES[(data[5]! >> 4) & 7];
  if (maxBlock === undefined) throw new CompressionError(`Invalid LZ4 block size id ${(data[5]! >> 4) & 7}.`);
  r = 6 + (hasContentSize ? 8 : 0);
  need(1, 'the frame header');
  r += 1; // header checksum: the batch CRC already guards the bytes
  const blocks: Buffer[] = [];
  let total = 0;
  for (;;) {
    need(4, 'a block size');
    const word = data.readUInt32LE(r);
    r += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    need(size + (blockChecksums ? 4 : 0), 'a block');
    let block: Buffer;
    if (word & LZ4_UNCOMPRESSED_BIT) {
      block = data.subarray(r, r + size);
    } else {
      const dst = Buffer.allocUnsafe(maxBlock);
      const end = lz4.decompressBlock(data, dst, r, size, 0);
      if (!(end >= 0 && end <= maxBlock)) throw new CompressionError('Corrupt LZ4 block.');
      block = dst.subarray(0, end);
    }
    r += size + (blockChecksums ? 4 : 0);
    total += block.length;
    if (total > maxBytes) throw new CompressionError(`LZ4 data decompresses to more than ${maxBytes} bytes.`);
    blocks.push(block);
  }
  if (contentChecksum) need(4, 'the content checksum');
  return Buffer.concat(blocks, total);
}

// --- zstd ----------------------------------------------------------------------------------------------------------

type ZstdModule = {
  init(): Promise<void>;
  compress(buf: Uint8Array, level?: number): Uint8Array;
  decompress(buf: Uint8Array, opts?: { defaultHeapSize?: number }): Uint8Array;
};
let zstdReady: Promise<ZstdModule> | undefined;
const ZSTD_MAGIC = 0xfd2fb528;
const ZSTD_LEVEL = 3; // Kafka's default zstd level

function loadZstd(): Promise<ZstdModule> {
  zstdReady ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the zstd wasm module loads on first use only
    const mod: ZstdModule = require('@bokuweb/zstd-wasm');
    await mod.init();
    return mod;
  })();
  return zstdReady;
}

async function zstdCompress(data: Buffer): Promise<Buffer> {
  const z = await loadZstd();
  return toBuffer(z.compress(data, ZSTD_LEVEL));
}

async function zstdDecompress(data: Buffer, maxBytes: number): Promise<Buffer> {
  if (data.length < 4 || data.readUInt32LE(0) !== ZSTD_MAGIC)
    throw new CompressionError('Not a zstd frame: the magic number is wrong.');
  const declared = zstdFrameContentSize(data);
  if (declared !== undefined && declared > maxBytes)
    throw new CompressionError(`zstd data declares ${declared} bytes, more than the limit of ${maxBytes}.`);
  const z = await loadZstd();
  // A frame written by a streaming encoder (the Java client) does not record its size: grow the output until it fits.
  let heap = Math.min(maxBytes, Math.max(1024 * 1024, data.length * 8));
  for (;;) {
    try {
      return toBuffer(z.decompress(data, { defaultHeapSize: heap }));
    } catch (e) {
      // Grow only when the output did not fit (zstd's dstSize_tooSmall, code 70); any other error is corrupt data.
      if (heap >= maxBytes || !/code -70\b/.test((e as Error).message)) throw e;
      heap = Math.min(maxBytes, heap * 4);
    }
  }
}

/** The content size a zstd frame header declares, or undefined when it does not say (streaming encoders). */
function zstdFrameContentSize(data: Buffer): number | undefined {
  if (data.length < 5) throw new CompressionError('Truncated zstd frame header.');
  const descriptor = data[4]!;
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
  if (fcsBytes === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3]!;
  if (at + fcsBytes > data.length) throw new CompressionError('Truncated zstd frame header.');
  switch (fcsBytes) {
    case 1:
      return data[at]!;
    case 2:
      return data.readUInt16LE(at) + 256;
    case 4:
      return data.readUInt32LE(at);
    default:
      return Number(data.readBigUInt64LE(at));
  }
}

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

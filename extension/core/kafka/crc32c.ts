/**
 * CRC32C of record batches (the encoder and the broker's check), through hash-wasm's WebAssembly CRC (about twice the speed of the
 * crc-32 package, which measured as the sandbox's ingest bottleneck). One module, so every caller gets the fast path. The WebAssembly module compiles
 * asynchronously when this file loads; until it is ready (the first milliseconds) crc-32 answers instead.
 */
import { createCRC32, type IHasher } from 'hash-wasm';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- crc-32/crc32c ships no type declarations
const crc32cSlow = require('crc-32/crc32c') as { buf(data: Uint8Array, seed?: number): number };

/** The Castagnoli polynomial, reversed, as hash-wasm takes it. */
const CASTAGNOLI = 0x82f63b78;

let hasher: IHasher | null = null;

/** Resolves once the WebAssembly CRC is in use (tests and benchmarks may await it). */
export const fastCrc32cReady: Promise<boolean> = createCRC32(CASTAGNOLI).then(
  (h) => {
    hasher = h;
    return true;
  },
  () => false,
);

/** CRC32C of `data` as an unsigned 32-bit number. */
export function crc32c(data: Uint8Array): number {
  if (!hasher) return crc32cSlow.buf(data) >>> 0;
  hasher.init();
  hasher.update(data);
  const d = hasher.digest('binary');
  return ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;
}

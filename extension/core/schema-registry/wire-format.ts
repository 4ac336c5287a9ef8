/**
 * Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then the payload. Protobuf
 * payloads start with the message indexes: a count and the indexes, each a zigzag varint, with [0] (the first
 * message of the file) written as the single byte 0.
 */
import { InvalidInputError } from '../util/errors';

export const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

export function frame(schemaId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
}

/** The schema id and payload of framed bytes, or undefined when they are not in the wire format. */
export function unframe(bytes: Buffer): { schemaId: number; payload: Buffer } | undefined {
  if (bytes.length < HEADER_BYTES || bytes[0] !== MAGIC_BYTE) return undefined;
  return { schemaId: bytes.readInt32BE(1), payload: bytes.subarray(HEADER_BYTES) };
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function writeVarint(n: number, out: number[]): void {
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

export function writeMessageIndexes(indexes: number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0]);
  const out: number[] = [];
  writeVarint(zigzag(indexes.length), out);
  for (const i of indexes) writeVarint(zigzag(i), out);
  return Buffer.from(out);
}

export function readMessageIndexes(bytes: Buffer): { indexes: number[]; offset: number } {
  let offset = 0;
  const read = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      if (offset >= bytes.length)
        throw new InvalidInputError('the Protobuf message indexes run past the end of the value');
      const b = bytes[offset++];
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      scale *= 128;
    }
    throw new InvalidInputError('a Protobuf message index is longer than 5 bytes');
  };
  const count = read();
  if (count === 0) return { indexes: [0], offset };
  if (count < 0 || count > 100)
    throw new InvalidInputError(`${count} Protobuf message indexes: not Confluent's wire format`);
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) indexes.push(read());
  return { indexes, offset };
}

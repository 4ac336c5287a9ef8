/** The compression.type names Kafka knows, in the order of their codec ids (0-4). */
export const COMPRESSION_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CompressionName = (typeof COMPRESSION_NAMES)[number];

export function isCompressionName(name: unknown): name is CompressionName {
  return (COMPRESSION_NAMES as readonly unknown[]).includes(name);
}

/** "none, gzip, snappy, lz4 or zstd", for messages that say what is allowed. */
export function compressionNamesInWords(): string {
  return `${COMPRESSION_NAMES.slice(0, -1).join(', ')} or ${COMPRESSION_NAMES[COMPRESSION_NAMES.length - 1]}`;
}

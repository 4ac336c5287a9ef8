/** The parser for each schema type; every caller goes through `parseSchema`. */
import { InvalidSchemaError, type ResolvedSchema } from '../types';
import { parseAvro } from './avro';
import type { ParsedSchema } from './format';
import { parseJsonSchema } from './json-schema';
import { parseProtobuf } from './protobuf';

export type { ParsedSchema } from './format';

export function parseSchema(resolved: ResolvedSchema): ParsedSchema {
  switch (resolved.schemaType) {
    case 'AVRO':
      return parseAvro(resolved);
    case 'JSON':
      return parseJsonSchema(resolved);
    case 'PROTOBUF':
      return parseProtobuf(resolved);
    default:
      throw new InvalidSchemaError(
        `unknown schema type ${JSON.stringify(resolved.schemaType)}; use AVRO, JSON or PROTOBUF`,
      );
  }
}

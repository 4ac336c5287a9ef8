/** Schema registry support for the rest of core: the client, serializers, the reader's decoder and wire format. */
export { SchemaRegistryClient, type SchemaRegistryConfig, type SubjectVersion } from './client';
export { SchemaDeserializer, type DecodedRecordPart } from './deserializer';
export { COMPATIBILITY_LEVELS, type CompatibilityLevel } from './compatibility';
export { parseSchema, type ParsedSchema } from './formats';
export {
  createSerializer,
  describeSchemaUsed,
  keyTextValue,
  subjectFor,
  SUBJECT_NAME_STRATEGIES,
  type RecordPart,
  type SchemaSelection,
  type SchemaSerializer,
  type SchemaUsed,
  type SubjectNameStrategy,
} from './serializer';
export {
  SchemaRegistryError,
  SchemaValueError,
  InvalidSchemaError,
  SCHEMA_TYPES,
  type SchemaType,
  type SchemaReference,
} from './types';
export { frame, unframe } from './wire-format';

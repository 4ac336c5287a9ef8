/**
 * Confluent Schema Registry's error codes and messages, in one place: clients show the message and branch on
 * `error_code` (40401 subject not found, 40403 schema not found, 409 incompatible, 42201 invalid schema...).
 */
export class RegistryHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const registryErrors = {
  unauthorized: () => new RegistryHttpError(401, 401, 'Unauthorized'),
  subjectNotFound: (subject: string) => new RegistryHttpError(404, 40401, `Subject '${subject}' not found.`),
  versionNotFound: (version: number | string) => new RegistryHttpError(404, 40402, `Version ${version} not found.`),
  schemaNotFound: (id?: number) =>
    new RegistryHttpError(404, 40403, id === undefined ? 'Schema not found' : `Schema ${id} not found`),
  subjectSoftDeleted: (subject: string) =>
    new RegistryHttpError(
      404,
      40404,
      `Subject '${subject}' was soft deleted. Set permanent=true to delete permanently`,
    ),
  subjectNotSoftDeleted: (subject: string) =>
    new RegistryHttpError(404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`),
  versionSoftDeleted: (subject: string, version: number) =>
    new RegistryHttpError(
      404,
      40406,
      `Subject '${subject}' Version ${version} was soft deleted. Set permanent=true to delete permanently`,
    ),
  versionNotSoftDeleted: (subject: string, version: number) =>
    new RegistryHttpError(
      404,
      40407,
      `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
    ),
  subjectConfigNotFound: (subject: string) =>
    new RegistryHttpError(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`),
  incompatible: (subject: string, details: string[]) =>
    new RegistryHttpError(
      409,
      409,
      `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${details.join('; ')}]`,
    ),
  invalidSchema: (details: string) => new RegistryHttpError(422, 42201, `Invalid schema, details: ${details}`),
  invalidVersion: (raw: string) =>
    new RegistryHttpError(
      422,
      42202,
      `The specified version '${raw}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    ),
  invalidCompatibility: () =>
    new RegistryHttpError(
      422,
      42203,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    ),
  referenceExists: (subject: string, version: number) =>
    new RegistryHttpError(
      422,
      42206,
      `One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=${subject},version=${version}}.`,
    ),
  badRequest: (message: string) => new RegistryHttpError(422, 42200, message),
  /** The sandbox keeps its memory bounded: past its limits it refuses, saying how to make room. */
  full: (message: string) => new RegistryHttpError(507, 50701, message),
  notFound: (message: string) => new RegistryHttpError(404, 404, message),
};

/**
 * The sandbox registry's memory: schemas by id (one id per distinct schema, shared across subjects), subjects with
 * their versions (soft and permanent deletes), compatibility levels, all bounded. Every rule Confluent's registry
 * applies on these paths lives here; the HTTP routes only translate.
 */
import type { SubjectVersion as RegistryVersion } from '../../schema-registry/client';
import { compatibilityProblems, type CompatibilityLevel } from '../../schema-registry/compatibility';
import { parseSchema, type ParsedSchema } from '../../schema-registry/formats';
import {
  InvalidSchemaError,
  type ResolvedSchema,
  type SchemaReference,
  type SchemaType,
} from '../../schema-registry/types';
import { registryErrors } from './registry-errors';

export interface SchemaStoreLimits {
  maxSchemas: number;
  maxSubjects: number;
  maxVersionsPerSubject: number;
  /** Characters of one schema's text. */
  maxSchemaChars: number;
  /** Characters of every stored schema's text together. */
  maxTotalChars: number;
}

export const DEFAULT_LIMITS: SchemaStoreLimits = {
  maxSchemas: 10_000,
  maxSubjects: 10_000,
  maxVersionsPerSubject: 1_000,
  maxSchemaChars: 512 * 1024,
  maxTotalChars: 64 * 1024 * 1024,
};

interface StoredSchema {
  id: number;
  schemaType: SchemaType;
  /** As registered, made canonical (compact JSON for Avro and JSON Schema). */
  schema: string;
  references: SchemaReference[];
  parsed: ParsedSchema;
}

interface SubjectVersion {
  version: number;
  id: number;
  deleted: boolean;
}

interface Subject {
  versions: SubjectVersion[];
  compatibility?: CompatibilityLevel;
}

/** What a client registers or looks up: the body of POST /subjects/{s}/versions and POST /subjects/{s}. */
export interface SchemaInput {
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
}

/** One version of a subject, as GET /subjects/{s}/versions/{v} answers it (what the client reads back). */
export type VersionView = RegistryVersion;

export interface SubjectSummary {
  subject: string;
  versions: number[];
  latest: { version: number; id: number; schemaType: SchemaType };
  compatibility?: CompatibilityLevel;
}

export class SchemaStore {
  private readonly schemas = new Map<number, StoredSchema>();
  /** `type|references|canonical text` → id: the same schema under any subject has one id. */
  private readonly idOf = new Map<string, number>();
  private readonly subjects = new Map<string, Subject>();
  private nextId = 1;
  private totalChars = 0;
  private globalLevel: CompatibilityLevel = 'BACKWARD';

  constructor(private readonly limits: SchemaStoreLimits = DEFAULT_LIMITS) {}

  register(subjectName: string, input: SchemaInput): { id: number; version: number } {
    const parsed = this.parse(input);
    const key = schemaKey(input.schemaType, parsed.canonical, input.references);
    const subject = this.subjects.get(subjectName);
    const live = subject?.versions.filter((v) => !v.deleted) ?? [];
    const existingId = this.idOf.get(key);
    const same = existingId === undefined ? undefined : live.find((v) => v.id === existingId);
    if (same) return { id: same.id, version: same.version };

    const problems = compatibilityProblems(
      this.levelOf(subjectName),
      parsed,
      live.map((v) => ({ version: v.version, schema: this.schemas.get(v.id)!.parsed })),
    );
    if (problems.length) throw registryErrors.incompatible(subjectName, problems);

    if (!subject && this.subjects.size >= this.limits.maxSubjects)
      throw registryErrors.full(
        `the sandbox registry holds at most ${this.limits.maxSubjects} subjects; delete some (DELETE /subjects/{subject}, then ?permanent=true)`,
      );
    if (subject && subject.versions.length >= this.limits.maxVersionsPerSubject)
      throw registryErrors.full(
        `subject '${subjectName}' has ${subject.versions.length} versions, the sandbox's most; delete old ones permanently`,
      );
    let id = existingId;
    if (id === undefined) {
      if (this.schemas.size >= this.limits.maxSchemas)
        throw registryErrors.full(
          `the sandbox registry holds at most ${this.limits.maxSchemas} schemas; delete subjects permanently to make room`,
        );
      if (this.totalChars + parsed.canonical.length > this.limits.maxTotalChars)
        throw registryErrors.full(
          `the sandbox registry holds at most ${this.limits.maxTotalChars} characters of schemas; delete subjects permanently to make room`,
        );
      id = this.nextId++;
      this.schemas.set(id, {
        id,
        schemaType: input.schemaType,
        schema: parsed.canonical,
        references: input.references,
        parsed,
      });
      this.idOf.set(key, id);
      this.totalChars += parsed.canonical.length;
    }
    const entry = subject ?? { versions: [] };
    const version = Math.max(0, ...entry.versions.map((v) => v.version)) + 1;
    entry.versions.push({ version, id, deleted: false });
    this.subjects.set(subjectName, entry);
    return { id, version };
  }

  /** POST /subjects/{s}: the version of the subject that holds this schema. */
  lookup(subjectName: string, input: SchemaInput, includeDeleted: boolean): VersionView {
    const subject = this.subjects.get(subjectName);
    if (!subject || (!includeDeleted && subject.versions.every((v) => v.deleted)))
      throw registryErrors.subjectNotFound(subjectName);
    const parsed = this.parse(input);
    const id = this.idOf.get(schemaKey(input.schemaType, parsed.canonical, input.references));
    const match = subject.versions.filter((v) => v.id === id && (includeDeleted || !v.deleted)).pop();
    if (!match) throw registryErrors.schemaNotFound();
    return this.view(subjectName, match);
  }

  subjectNames(includeDeleted: boolean): string[] {
    return [...this.subjects]
      .filter(([, s]) => includeDeleted || s.versions.some((v) => !v.deleted))
      .map(([name]) => name)
      .sort();
  }

  versions(subjectName: string, includeDeleted: boolean): number[] {
    return this.liveSubject(subjectName, includeDeleted)
      .versions.filter((v) => includeDeleted || !v.deleted)
      .map((v) => v.version);
  }

  /** A version by number, `latest` or -1 (latest). */
  version(subjectName: string, raw: string, includeDeleted: boolean): VersionView {
    const subject = this.liveSubject(subjectName, includeDeleted);
    const candidates = subject.versions.filter((v) => includeDeleted || !v.deleted);
    if (raw === 'latest' || raw === '-1') {
      const latest = candidates[candidates.length - 1];
      if (!latest) throw registryErrors.versionNotFound(raw);
      return this.view(subjectName, latest);
    }
    const n = parseVersion(raw);
    const found = candidates.find((v) => v.version === n);
    if (!found) throw registryErrors.versionNotFound(n);
    return this.view(subjectName, found);
  }

  schemaById(id: number): { schemaType: SchemaType; schema: string; references: SchemaReference[] } {
    const s = this.schemas.get(id);
    if (!s) throw registryErrors.schemaNotFound(id);
    return { schemaType: s.schemaType, schema: s.schema, references: s.references };
  }

  /** Subject and version pairs that use schema `id` (soft-deleted ones only when asked). */
  usesOf(id: number, includeDeleted: boolean): { subject: string; version: number }[] {
    if (!this.schemas.has(id)) throw registryErrors.schemaNotFound(id);
    const out: { subject: string; version: number }[] = [];
    for (const [subject, s] of this.subjects)
      for (const v of s.versions)
        if (v.id === id && (includeDeleted || !v.deleted)) out.push({ subject, version: v.version });
    return out;
  }

  deleteSubject(subjectName: string, permanent: boolean): number[] {
    const subject = this.subjects.get(subjectName);
    if (!subject) throw registryErrors.subjectNotFound(subjectName);
    const allSoftDeleted = subject.versions.every((v) => v.deleted);
    if (!permanent && allSoftDeleted) throw registryErrors.subjectSoftDeleted(subjectName);
    if (permanent && !allSoftDeleted) throw registryErrors.subjectNotSoftDeleted(subjectName);
    for (const v of subject.versions) this.refuseIfReferenced(subjectName, v.version);
    const numbers = subject.versions.filter((v) => permanent || !v.deleted).map((v) => v.version);
    if (permanent) {
      this.subjects.delete(subjectName);
      for (const v of subject.versions) this.forgetIfUnused(v.id);
    } else {
      for (const v of subject.versions) v.deleted = true;
    }
    return numbers;
  }

  deleteVersion(subjectName: string, raw: string, permanent: boolean): number {
    const subject = this.subjects.get(subjectName);
    if (!subject) throw registryErrors.subjectNotFound(subjectName);
    const live = subject.versions.filter((v) => !v.deleted);
    const n =
      raw === 'latest' || raw === '-1'
        ? (permanent ? subject.versions : live)[(permanent ? subject.versions : live).length - 1]?.version
        : parseVersion(raw);
    const found = subject.versions.find((v) => v.version === n);
    if (n === undefined || !found) throw registryErrors.versionNotFound(raw);
    if (!permanent && found.deleted) throw registryErrors.versionSoftDeleted(subjectName, found.version);
    if (permanent && !found.deleted) throw registryErrors.versionNotSoftDeleted(subjectName, found.version);
    this.refuseIfReferenced(subjectName, found.version);
    if (permanent) {
      subject.versions = subject.versions.filter((v) => v !== found);
      if (!subject.versions.length) this.subjects.delete(subjectName);
      this.forgetIfUnused(found.id);
    } else {
      found.deleted = true;
    }
    return found.version;
  }

  globalCompatibility(): CompatibilityLevel {
    return this.globalLevel;
  }

  setGlobalCompatibility(level: CompatibilityLevel): void {
    this.globalLevel = level;
  }

  /** The subject's own level, or undefined when it follows the global one. */
  subjectCompatibility(subjectName: string): CompatibilityLevel | undefined {
    return this.subjects.get(subjectName)?.compatibility;
  }

  setSubjectCompatibility(subjectName: string, level: CompatibilityLevel | undefined): void {
    const subject = this.subjects.get(subjectName);
    if (subject) subject.compatibility = level;
    else if (level) {
      if (this.subjects.size >= this.limits.maxSubjects)
        throw registryErrors.full(`the sandbox registry holds at most ${this.limits.maxSubjects} subjects`);
      this.subjects.set(subjectName, { versions: [], compatibility: level });
    }
  }

  levelOf(subjectName: string): CompatibilityLevel {
    return this.subjects.get(subjectName)?.compatibility ?? this.globalLevel;
  }

  /**
   * POST /compatibility/subjects/{s}/versions/{v}: problems of `input` against that version (or, without one, the
   * versions the subject's level looks at); the level's direction applies either way.
   */
  compatibility(subjectName: string, rawVersion: string | undefined, input: SchemaInput): string[] {
    const parsed = this.parse(input);
    const level = this.levelOf(subjectName);
    if (rawVersion === undefined) {
      const subject = this.subjects.get(subjectName);
      const live = subject?.versions.filter((v) => !v.deleted) ?? [];
      return compatibilityProblems(
        level,
        parsed,
        live.map((v) => ({ version: v.version, schema: this.schemas.get(v.id)!.parsed })),
      );
    }
    const target = this.version(subjectName, rawVersion, false);
    const nonTransitive = level.replace('_TRANSITIVE', '') as CompatibilityLevel;
    return compatibilityProblems(nonTransitive, parsed, [
      { version: target.version, schema: this.schemas.get(target.id)!.parsed },
    ]);
  }

  /** For the control API's /state. */
  summary(): { compatibility: CompatibilityLevel; schemas: number; subjects: SubjectSummary[] } {
    const subjects: SubjectSummary[] = [];
    for (const name of this.subjectNames(false)) {
      const s = this.subjects.get(name)!;
      const live = s.versions.filter((v) => !v.deleted);
      const latest = live[live.length - 1];
      subjects.push({
        subject: name,
        versions: live.map((v) => v.version),
        latest: { version: latest.version, id: latest.id, schemaType: this.schemas.get(latest.id)!.schemaType },
        ...(s.compatibility ? { compatibility: s.compatibility } : {}),
      });
    }
    return { compatibility: this.globalLevel, schemas: this.schemas.size, subjects };
  }

  private liveSubject(subjectName: string, includeDeleted: boolean): Subject {
    const subject = this.subjects.get(subjectName);
    if (!subject || !subject.versions.length || (!includeDeleted && subject.versions.every((v) => v.deleted)))
      throw registryErrors.subjectNotFound(subjectName);
    return subject;
  }

  private view(subject: string, v: SubjectVersion): VersionView {
    const s = this.schemas.get(v.id)!;
    return {
      subject,
      version: v.version,
      id: v.id,
      schemaType: s.schemaType,
      schema: s.schema,
      references: s.references,
    };
  }

  /** The schema parsed with its references resolved from this store; a bad one is 42201 with the parser's words. */
  private parse(input: SchemaInput): ParsedSchema {
    if (input.schema.length > this.limits.maxSchemaChars)
      throw registryErrors.invalidSchema(
        `the schema has ${input.schema.length} characters; the sandbox registry takes at most ${this.limits.maxSchemaChars}`,
      );
    try {
      return parseSchema(this.resolve(input, 0));
    } catch (e) {
      if (e instanceof InvalidSchemaError) throw registryErrors.invalidSchema(e.message);
      throw e;
    }
  }

  private resolve(input: SchemaInput, depth: number): ResolvedSchema {
    if (depth > 32) throw new InvalidSchemaError('references nest more than 32 deep (a cycle?)');
    return {
      schemaType: input.schemaType,
      schema: input.schema,
      references: input.references.map((r) => {
        const subject = this.subjects.get(r.subject);
        const v = subject?.versions.find((x) => x.version === r.version && !x.deleted);
        if (!v)
          throw new InvalidSchemaError(
            `reference "${r.name}" names subject '${r.subject}' version ${r.version}, which is not registered`,
          );
        const s = this.schemas.get(v.id)!;
        return {
          ...r,
          resolved: this.resolve({ schemaType: s.schemaType, schema: s.schema, references: s.references }, depth + 1),
        };
      }),
    };
  }

  private refuseIfReferenced(subjectName: string, version: number): void {
    for (const [, s] of this.subjects) {
      for (const v of s.versions) {
        if (v.deleted) continue;
        if (this.schemas.get(v.id)!.references.some((r) => r.subject === subjectName && r.version === version))
          throw registryErrors.referenceExists(subjectName, version);
      }
    }
  }

  private forgetIfUnused(id: number): void {
    for (const [, s] of this.subjects) if (s.versions.some((v) => v.id === id)) return;
    const s = this.schemas.get(id);
    if (!s) return;
    this.schemas.delete(id);
    this.idOf.delete(schemaKey(s.schemaType, s.schema, s.references));
    this.totalChars -= s.schema.length;
  }
}

function schemaKey(type: SchemaType, canonical: string, references: SchemaReference[]): string {
  return `${type}|${JSON.stringify(references.map((r) => [r.name, r.subject, r.version]))}|${canonical}`;
}

function parseVersion(raw: string): number {
  if (!/^\d+$/.test(raw)) throw registryErrors.invalidVersion(raw);
  const n = Number(raw);
  if (n < 1 || n > 2 ** 31 - 1) throw registryErrors.invalidVersion(raw);
  return n;
}

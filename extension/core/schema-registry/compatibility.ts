/**
 * Compatibility levels as Confluent names them, and the check a registry makes before a new version: BACKWARD (the
 * new schema reads data written with the old), FORWARD (the old reads the new), FULL (both); _TRANSITIVE against
 * every earlier version instead of the latest; NONE never refuses.
 */
import type { ParsedSchema } from './formats';

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export function isCompatibilityLevel(v: unknown): v is CompatibilityLevel {
  return typeof v === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(v);
}

export function isTransitive(level: CompatibilityLevel): boolean {
  return level.endsWith('_TRANSITIVE');
}

/**
 * Why `candidate` may not follow `previous` (oldest first; only the last is checked unless the level is transitive),
 * one line per problem naming the version it clashes with; empty when it may.
 */
export function compatibilityProblems(
  level: CompatibilityLevel,
  candidate: ParsedSchema,
  previous: { version: number; schema: ParsedSchema }[],
): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const against = isTransitive(level) ? previous : previous.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const out: string[] = [];
  for (const p of against) {
    if (p.schema.schemaType !== candidate.schemaType) {
      out.push(`version ${p.version} is a ${p.schema.schemaType} schema, the new one ${candidate.schemaType}`);
      continue;
    }
    if (backward)
      for (const problem of candidate.readProblems(p.schema))
        out.push(`the new schema cannot read data written with version ${p.version} (BACKWARD): ${problem}`);
    if (forward)
      for (const problem of p.schema.readProblems(candidate))
        out.push(`version ${p.version} cannot read data written with the new schema (FORWARD): ${problem}`);
  }
  return out;
}

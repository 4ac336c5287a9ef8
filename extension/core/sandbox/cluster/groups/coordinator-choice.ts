/**
 * Which broker coordinates a transactional id. Kafka hashes the id onto a partition of `__transaction_state` and
 * the coordinator is that partition's leader; the sandbox has no transaction state topic, so it hashes onto the
 * broker list directly. The same id always lands on the same broker while that broker is up, and on the next live
 * one (by id) while it is down, so every client agrees on the coordinator without asking anyone else. (Groups are
 * coordinated through `__consumer_offsets`: see ../offsets-topic.ts.)
 */

/** Java's `String.hashCode` (over UTF-16 code units), the hash Kafka applies to group ids. */
export function javaStringHash(value: string): number {
  let hash = 0;
  for (let i = 0; i < value.length; i++) hash = (Math.imul(31, hash) + value.charCodeAt(i)) | 0;
  return hash;
}

/** The broker that coordinates `groupId`, or null when no broker is up. */
export function chooseCoordinator<B extends { id: number; up: boolean }>(
  groupId: string,
  brokers: readonly B[],
): B | null {
  if (brokers.length === 0) return null;
  const byId = [...brokers].sort((a, b) => a.id - b.id);
  // Kafka's Utils.abs: mask the sign bit rather than Math.abs (which overflows for the smallest int).
  const start = (javaStringHash(groupId) & 0x7fffffff) % byId.length;
  for (let step = 0; step < byId.length; step++) {
    const broker = byId[(start + step) % byId.length];
    if (broker.up) return broker;
  }
  return null;
}

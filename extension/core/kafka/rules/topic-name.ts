/** Kafka's topic name rule (Java's `Topic.validate`): 1-249 of [a-zA-Z0-9._-], and not "." or "..". */
export const MAX_TOPIC_NAME_LENGTH = 249;

const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Why `name` is not a topic name Kafka accepts, in plain words with how to fix it, or null when it is one. */
export function topicNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'a topic name must be a non-empty string';
  if (name === '.' || name === '..') return `topic name '${name}' is not allowed`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `topic name '${name.slice(0, 40)}...' is ${name.length} characters; at most ${MAX_TOPIC_NAME_LENGTH} are allowed`;
  }
  if (!LEGAL.test(name))
    return `topic name '${name}' has characters Kafka does not allow; use only letters, digits, '.', '_' and '-'`;
  return null;
}

export function isTopicName(name: unknown): name is string {
  return topicNameProblem(name) === null;
}

/** Kafka's internal topics (Java's `Topic.isInternal`): group offsets and transaction state. */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}

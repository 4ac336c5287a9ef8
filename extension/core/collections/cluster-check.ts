/**
 * Before a run sends anything: can the cluster be reached, and can every fixed topic be written? One clear error up
 * front instead of every record waiting max.block.ms (60 s by default) and failing with topic advice. Missing topics
 * are created by the broker (auto.create.topics.enable, as Java's producer lets it) unless the caller refuses; either
 * way the caller learns which topics the run created, to say so.
 */
import type { Transport } from '../transport/transport';
import { InvalidInputError } from '../util/errors';

export interface TopicCheck {
  /** Every topic the cluster had before the check: a topic a record reaches that is not here was created for the run. */
  known: Set<string>;
  /** Fixed topics that did not exist and that the broker created now. */
  created: string[];
}

export interface TopicCheckOptions {
  /** false: refuse missing topics instead of letting the broker create them (default true). */
  create?: boolean;
  /** With create false, how to go on, for the error: "create it first, or leave out --no-create-topics". */
  refuseHint?: string;
}

/** `topics` may hold templates that change per record ("t-{{$seq}}"): those are left to the send. */
export async function checkTopicsWritable(
  transport: Pick<Transport, 'connect' | 'fetchMetadata'>,
  topics: readonly string[],
  options: TopicCheckOptions = {},
): Promise<TopicCheck> {
  await transport.connect();
  const known = new Set((await transport.fetchMetadata(null, false)).topics.map((t) => t.name));
  const fixed = [...new Set(topics.filter((t) => !t.includes('{{')))];
  if (!fixed.length) return { known, created: [] };
  const metadata = await transport.fetchMetadata(fixed, false);
  const missing: string[] = [];
  for (const name of fixed) {
    const code = metadata.topics.find((t) => t.name === name)?.errorCode ?? 3;
    if (code === 3) missing.push(name);
    if (code === 17) throw new InvalidInputError(`'${name}' is not a valid topic name`);
    if (code === 29)
      throw new InvalidInputError(`not allowed to write to topic '${name}' (TOPIC_AUTHORIZATION_FAILED)`);
  }
  if (!missing.length) return { known, created: [] };
  if (options.create === false) {
    const names = missing.map((n) => `'${n}'`).join(', ');
    throw new InvalidInputError(
      `topic${missing.length === 1 ? '' : 's'} ${names} ${missing.length === 1 ? 'does' : 'do'} not exist and ${missing.length === 1 ? 'is' : 'are'} not created: ${options.refuseHint ?? 'create it first'}`,
    );
  }
  const after = await transport.fetchMetadata(missing, true);
  for (const name of missing) {
    // 5 = LEADER_NOT_AVAILABLE: created just now, its leaders are being elected (the engine waits for them).
    const code = after.topics.find((t) => t.name === name)?.errorCode ?? 3;
    if (code === 3)
      throw new InvalidInputError(
        `topic '${name}' does not exist and the cluster does not create topics automatically; create it first`,
      );
  }
  return { known, created: missing };
}

/** "created topic 'a'" / "created topics 'a', 'b'": for the CLI's stderr. */
export function describeCreatedTopics(created: readonly string[]): string {
  return `the broker created topic${created.length === 1 ? '' : 's'} ${created.map((n) => `'${n}'`).join(', ')} for this run (auto.create.topics.enable); pass --no-create-topics to refuse missing topics instead`;
}

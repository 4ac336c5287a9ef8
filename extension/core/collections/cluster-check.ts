/**
 * Before a run sends anything: can the cluster be reached, and can every fixed topic be written? One clear error up
 * front instead of every record waiting max.block.ms (60 s by default) and failing with topic advice.
 */
import type { Transport } from '../transport/transport';
import { InvalidInputError } from '../util/errors';

/** `topics` may hold templates that change per record ("t-{{$seq}}"): those are left to the send. */
export async function checkTopicsWritable(transport: Pick<Transport, 'connect' | 'fetchMetadata'>, topics: readonly string[]): Promise<void> {
  await transport.connect();
  const fixed = [...new Set(topics.filter((t) => !t.includes('{{')))];
  if (!fixed.length) return;
  const metadata = await transport.fetchMetadata(fixed, true);
  for (const name of fixed) {
    const code = metadata.topics.find((t) => t.name === name)?.errorCode ?? 3;
    if (code === 3) throw new InvalidInputError(`topic '${name}' does not exist and the cluster does not create topics automatically; create it first`);
    if (code === 17) throw new InvalidInputError(`'${name}' is not a valid topic name`);
    if (code === 29) throw new InvalidInputError(`not allowed to write to topic '${name}' (TOPIC_AUTHORIZATION_FAILED)`);
  }
}

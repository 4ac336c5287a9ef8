/**
 * `kafka-workbench partition --partitions N [--] KEY...`: where the default partitioner (and the Java client) puts
 * each key. Keys are hashed as their UTF-8 bytes, as Java's StringSerializer writes them.
 */
import { partitionForKey } from '../../core/engine/murmur2';
import { InvalidInputError } from '../../core/util/errors';
import { intFlag, parseArgs } from '../args';
import type { CliCommand, CliIo } from '../main';

const USAGE = `usage: kafka-workbench partition --partitions N [--] KEY...

Prints KEY<TAB>PARTITION for each key, in order: the partition the default partitioner of the Java client
(murmur2 of the key's UTF-8 bytes) picks for a topic of N partitions. '--' ends the options, so keys after it
may start with '-'.`;

export const partitionCommand: CliCommand = {
  name: 'partition',
  summary: 'show which partition each key lands on (Java default partitioner)',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, { known: ['partitions'] });
    if (!args.flags.has('partitions'))
      throw new InvalidInputError("--partitions N is required (the topic's partition count)");
    const partitions = intFlag(args, 'partitions', 1, 1, 1_000_000);
    if (args.positionals.length === 0)
      throw new InvalidInputError(
        'give one or more keys after the options, e.g. partition --partitions 6 -- user-1 user-2',
      );
    for (const key of args.positionals) {
      io.out(`${key}\t${partitionForKey(Buffer.from(key, 'utf8'), partitions)}`);
    }
    return 0;
  },
};

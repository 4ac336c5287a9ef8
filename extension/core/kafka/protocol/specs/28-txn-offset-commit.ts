/** TxnOffsetCommit v0-v2, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 28,
  name: 'TxnOffsetCommit',
  versions: '0-2',
  request: [
    f('transactionalId', 'string'),
    f('groupId', 'string'),
    f('producerId', 'int64'),
    f('producerEpoch', 'int16'),
    f('topics', [
      f('name', 'string'),
      f('partitions', [
        f('partitionIndex', 'int32'),
        f('committedOffset', 'int64'),
        f('committedLeaderEpoch', 'int32', { v: '2+', default: -1 }),
        f('committedMetadata', 'string', { nullable: '0+' }),
      ]),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('topics', [f('name', 'string'), f('partitions', [f('partitionIndex', 'int32'), f('errorCode', 'int16')])]),
  ],
});

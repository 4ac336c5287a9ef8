/** OffsetCommit v0-v6, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 8,
  name: 'OffsetCommit',
  versions: '0-6',
  request: [
    f('groupId', 'string'),
    f('generationId', 'int32', { v: '1+', default: -1 }),
    f('memberId', 'string', { v: '1+' }),
    f('retentionTimeMs', 'int64', { v: '2-4', default: -1 }),
    f('topics', [
      f('name', 'string'),
      f('partitions', [
        f('partitionIndex', 'int32'),
        f('committedOffset', 'int64'),
        f('committedLeaderEpoch', 'int32', { v: '6+', default: -1 }),
        f('commitTimestamp', 'int64', { v: '1', default: -1 }),
        f('committedMetadata', 'string', { nullable: '0+' }),
      ]),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32', { v: '3+' }),
    f('topics', [f('name', 'string'), f('partitions', [f('partitionIndex', 'int32'), f('errorCode', 'int16')])]),
  ],
});

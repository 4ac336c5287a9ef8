/** OffsetFetch v0-v5, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 9,
  name: 'OffsetFetch',
  versions: '0-5',
  request: [
    f('groupId', 'string', { v: '0-7' }),
    f('topics', [f('name', 'string', { v: '0-7' }), f('partitionIndexes', '[]int32', { v: '0-7' })], {
      v: '0-7',
      nullable: '2-7',
    }),
  ],
  response: [
    f('throttleTimeMs', 'int32', { v: '3+' }),
    f(
      'topics',
      [
        f('name', 'string', { v: '0-7' }),
        f(
          'partitions',
          [
            f('partitionIndex', 'int32', { v: '0-7' }),
            f('committedOffset', 'int64', { v: '0-7' }),
            f('committedLeaderEpoch', 'int32', { v: '5-7', default: -1 }),
            f('metadata', 'string', { v: '0-7', nullable: '0-7' }),
            f('errorCode', 'int16', { v: '0-7' }),
          ],
          { v: '0-7' },
        ),
      ],
      { v: '0-7' },
    ),
    f('errorCode', 'int16', { v: '2-7' }),
  ],
});

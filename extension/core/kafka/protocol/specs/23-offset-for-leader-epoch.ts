/** OffsetForLeaderEpoch v0-v3, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 23,
  name: 'OffsetForLeaderEpoch',
  versions: '0-3',
  request: [
    f('replicaId', 'int32', { v: '3+', default: -2 }),
    f('topics', [
      f('topic', 'string'),
      f('partitions', [
        f('partition', 'int32'),
        f('currentLeaderEpoch', 'int32', { v: '2+', default: -1 }),
        f('leaderEpoch', 'int32'),
      ]),
    ]),
  ],
  response: [
    f('throttleTimeMs', 'int32', { v: '2+' }),
    f('topics', [
      f('topic', 'string'),
      f('partitions', [
        f('errorCode', 'int16'),
        f('partition', 'int32'),
        f('leaderEpoch', 'int32', { v: '1+', default: -1 }),
        f('endOffset', 'int64', { default: -1 }),
      ]),
    ]),
  ],
});

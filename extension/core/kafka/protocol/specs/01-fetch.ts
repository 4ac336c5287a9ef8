/** Fetch v0-v10, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 1,
  name: 'Fetch',
  versions: '0-10',
  request: [
    f('replicaId', 'int32', { v: '0-14', default: -1 }),
    f('maxWaitMs', 'int32'),
    f('minBytes', 'int32'),
    f('maxBytes', 'int32', { v: '3+', default: 2147483647 }),
    f('isolationLevel', 'int8', { v: '4+' }),
    f('sessionId', 'int32', { v: '7+' }),
    f('sessionEpoch', 'int32', { v: '7+', default: -1 }),
    f('topics', [
      f('topic', 'string', { v: '0-12' }),
      f('partitions', [
        f('partition', 'int32'),
        f('currentLeaderEpoch', 'int32', { v: '9+', default: -1 }),
        f('fetchOffset', 'int64'),
        f('logStartOffset', 'int64', { v: '5+', default: -1 }),
        f('partitionMaxBytes', 'int32'),
      ]),
    ]),
    f('forgottenTopicsData', [f('topic', 'string', { v: '7-12' }), f('partitions', '[]int32', { v: '7+' })], {
      v: '7+',
    }),
  ],
  response: [
    f('throttleTimeMs', 'int32', { v: '1+' }),
    f('errorCode', 'int16', { v: '7+' }),
    f('sessionId', 'int32', { v: '7+' }),
    f('responses', [
      f('topic', 'string', { v: '0-12' }),
      f('partitions', [
        f('partitionIndex', 'int32'),
        f('errorCode', 'int16'),
        f('highWatermark', 'int64'),
        f('lastStableOffset', 'int64', { v: '4+', default: -1 }),
        f('logStartOffset', 'int64', { v: '5+', default: -1 }),
        f('abortedTransactions', [f('producerId', 'int64', { v: '4+' }), f('firstOffset', 'int64', { v: '4+' })], {
          v: '4+',
          nullable: '4+',
          default: null,
        }),
        f('records', 'records', { nullable: '0+' }),
      ]),
    ]),
  ],
});

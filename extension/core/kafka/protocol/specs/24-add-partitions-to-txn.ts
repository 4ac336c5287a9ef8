/** AddPartitionsToTxn v0-v2, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 24,
  name: 'AddPartitionsToTxn',
  versions: '0-2',
  request: [
    f('v3AndBelowTransactionalId', 'string', { v: '0-3' }),
    f('v3AndBelowProducerId', 'int64', { v: '0-3' }),
    f('v3AndBelowProducerEpoch', 'int16', { v: '0-3' }),
    f('v3AndBelowTopics', [f('name', 'string'), f('partitions', '[]int32')], { v: '0-3' }),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f(
      'resultsByTopicV3AndBelow',
      [f('name', 'string'), f('resultsByPartition', [f('partitionIndex', 'int32'), f('partitionErrorCode', 'int16')])],
      { v: '0-3' },
    ),
  ],
});

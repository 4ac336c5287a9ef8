/** WriteTxnMarkers v0-v0, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 27,
  name: 'WriteTxnMarkers',
  versions: '0-0',
  request: [
    f('markers', [
      f('producerId', 'int64'),
      f('producerEpoch', 'int16'),
      f('transactionResult', 'bool'),
      f('topics', [f('name', 'string'), f('partitionIndexes', '[]int32')]),
      f('coordinatorEpoch', 'int32'),
    ]),
  ],
  response: [
    f('markers', [
      f('producerId', 'int64'),
      f('topics', [f('name', 'string'), f('partitions', [f('partitionIndex', 'int32'), f('errorCode', 'int16')])]),
    ]),
  ],
});

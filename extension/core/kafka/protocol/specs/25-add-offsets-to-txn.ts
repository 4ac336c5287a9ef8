/** AddOffsetsToTxn v0-v2, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 25,
  name: 'AddOffsetsToTxn',
  versions: '0-2',
  request: [
    f('transactionalId', 'string'),
    f('producerId', 'int64'),
    f('producerEpoch', 'int16'),
    f('groupId', 'string'),
  ],
  response: [f('throttleTimeMs', 'int32'), f('errorCode', 'int16')],
});

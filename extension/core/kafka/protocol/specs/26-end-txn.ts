/** EndTxn v0-v2, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 26,
  name: 'EndTxn',
  versions: '0-2',
  request: [
    f('transactionalId', 'string'),
    f('producerId', 'int64'),
    f('producerEpoch', 'int16'),
    f('committed', 'bool'),
  ],
  response: [f('throttleTimeMs', 'int32'), f('errorCode', 'int16')],
});

/** InitProducerId v0-v2, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 22,
  name: 'InitProducerId',
  versions: '0-2',
  flexible: 2,
  clientThrottle: 1,
  request: [f('transactionalId', 'string', { nullable: '0+' }), f('transactionTimeoutMs', 'int32')],
  response: [
    f('throttleTimeMs', 'int32'),
    f('errorCode', 'int16'),
    f('producerId', 'int64', { default: -1 }),
    f('producerEpoch', 'int16'),
  ],
});

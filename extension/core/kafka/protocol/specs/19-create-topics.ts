/** CreateTopics v0-v3, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 19,
  name: 'CreateTopics',
  versions: '0-3',
  clientThrottle: 3,
  request: [
    f('topics', [
      f('name', 'string'),
      f('numPartitions', 'int32'),
      f('replicationFactor', 'int16'),
      f('assignments', [f('partitionIndex', 'int32'), f('brokerIds', '[]int32')]),
      f('configs', [f('name', 'string'), f('value', 'string', { nullable: '0+' })]),
    ]),
    f('timeoutMs', 'int32', { default: 60000 }),
    f('validateOnly', 'bool', { v: '1+' }),
  ],
  response: [
    f('throttleTimeMs', 'int32', { v: '2+' }),
    f('topics', [
      f('name', 'string'),
      f('errorCode', 'int16'),
      f('errorMessage', 'string', { v: '1+', nullable: '0+', default: null }),
    ]),
  ],
});

/** CreatePartitions v0-v1, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 37,
  name: 'CreatePartitions',
  versions: '0-1',
  request: [
    f('topics', [
      f('name', 'string'),
      f('count', 'int32'),
      f('assignments', [f('brokerIds', '[]int32')], { nullable: '0+' }),
    ]),
    f('timeoutMs', 'int32'),
    f('validateOnly', 'bool'),
  ],
  response: [
    f('throttleTimeMs', 'int32'),
    f('results', [
      f('name', 'string'),
      f('errorCode', 'int16'),
      f('errorMessage', 'string', { nullable: '0+', default: null }),
    ]),
  ],
});

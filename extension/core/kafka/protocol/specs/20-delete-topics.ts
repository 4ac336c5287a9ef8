/** DeleteTopics v0-v3, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 20,
  name: 'DeleteTopics',
  versions: '0-3',
  clientThrottle: 2,
  request: [f('topicNames', '[]string', { v: '0-5' }), f('timeoutMs', 'int32')],
  response: [f('throttleTimeMs', 'int32', { v: '1+' }), f('responses', [f('name', 'string'), f('errorCode', 'int16')])],
});

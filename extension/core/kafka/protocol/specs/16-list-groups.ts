/** ListGroups v0-v2, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 16,
  name: 'ListGroups',
  versions: '0-2',
  request: [],
  response: [
    f('throttleTimeMs', 'int32', { v: '1+' }),
    f('errorCode', 'int16'),
    f('groups', [f('groupId', 'string'), f('protocolType', 'string')]),
  ],
});

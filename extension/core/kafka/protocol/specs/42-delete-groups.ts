/** DeleteGroups v0-v1, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 42,
  name: 'DeleteGroups',
  versions: '0-1',
  request: [f('groupsNames', '[]string')],
  response: [f('throttleTimeMs', 'int32'), f('results', [f('groupId', 'string'), f('errorCode', 'int16')])],
});

/** LeaveGroup v0-v2, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 13,
  name: 'LeaveGroup',
  versions: '0-2',
  request: [f('groupId', 'string'), f('memberId', 'string', { v: '0-2' })],
  response: [f('throttleTimeMs', 'int32', { v: '1+' }), f('errorCode', 'int16')],
});

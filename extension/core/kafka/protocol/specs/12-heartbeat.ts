/** Heartbeat v0-v2, as in Kafka's message spec (see ./index.ts). */
import { api, f } from '../spec';

export default api({
  key: 12,
  name: 'Heartbeat',
  versions: '0-2',
  request: [f('groupId', 'string'), f('generationId', 'int32'), f('memberId', 'string')],
  response: [f('throttleTimeMs', 'int32', { v: '1+' }), f('errorCode', 'int16')],
});
